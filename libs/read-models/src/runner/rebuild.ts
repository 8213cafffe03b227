import { CheckpointEvent, checkpointEventOf, EventStore } from '@civicloop/event-store';
import { rebuildHead, rebuildPosition } from '@civicloop/platform';
import { ReadDatabase } from '../database';
import { allTables, Projection, ProjectionEnv } from '../projection';
import { createTable, dropTable } from '../table-spec';
import { applyBatch } from './apply-batch';
import { CheckpointStore } from './checkpoint-store';

export interface RebuildProgress {
  projection: string;
  position: number;
  head: number;
  events: number;
}

export interface RebuildOptions {
  batchSize?: number;
  onProgress?: (progress: RebuildProgress) => void;
}

export interface RebuildResult {
  name: string;
  generation: number;
  position: number | null;
  events: number;
}

/**
 * Replays the whole log into a fresh generation of each projection's tables while readers keep the
 * old one, then swaps each new generation in with its checkpoint and drops the old tables. The log
 * is read once for all the projections given. A live runner notices the swap at its next commit
 * (its compare-and-set fails) and carries on from the new checkpoint in the new tables.
 */
export async function rebuildProjections(
  rdb: ReadDatabase, store: EventStore, projections: Projection[], env: ProjectionEnv, options: RebuildOptions = {},
): Promise<RebuildResult[]> {
  const checkpoints = new CheckpointStore(rdb);
  const plans: { projection: Projection; from: number; generation: number }[] = [];
  for (const projection of projections) {
    const current = await checkpoints.ensureProjection(projection);
    const generation = current.generation + 1;
    for (const table of allTables(projection)) await dropTable(rdb.db, table, generation);
    for (const table of allTables(projection)) await createTable(rdb.db, rdb.dialect, table, generation);
    plans.push({ projection, from: current.generation, generation });
  }
  const batchSize = options.batchSize ?? 5000;
  const label = projections.map((p) => p.name).join('+');
  let position: number | null = null;
  let positionEvent: CheckpointEvent | null = null;
  let events = 0;
  let head = Number((await store.headPosition()) ?? 0);
  for (;;) {
    const page = await store.readAll({ after: position, limit: batchSize });
    if (page.length === 0) break;
    await rdb.db.transaction().execute(async (trx) => {
      for (const plan of plans) await applyBatch(trx, plan.projection, plan.generation, page, env, rdb.dialect);
    });
    position = Number(page[page.length - 1].position);
    positionEvent = checkpointEventOf(page[page.length - 1]);
    events += page.length;
    head = Math.max(head, position);
    options.onProgress?.({ projection: label, position, head, events });
    rebuildPosition.set({ projection: label }, position);
    rebuildHead.set({ projection: label }, head);
  }
  const results: RebuildResult[] = [];
  for (const { projection, from, generation } of plans) {
    const tables = allTables(projection);
    if (!(await checkpoints.swap(projection.name, from, generation, projection.version, position, positionEvent))) {
      for (const table of tables) await dropTable(rdb.db, table, generation);
      throw new Error(`projection ${projection.name} was swapped by someone else during the rebuild; it keeps its tables`);
    }
    for (const table of tables) await dropTable(rdb.db, table, from);
    results.push({ name: projection.name, generation, position, events });
  }
  return results;
}

export async function rebuildProjection(
  rdb: ReadDatabase, store: EventStore, projection: Projection, env: ProjectionEnv, options: RebuildOptions = {},
): Promise<RebuildResult> {
  return (await rebuildProjections(rdb, store, [projection], env, options))[0];
}
