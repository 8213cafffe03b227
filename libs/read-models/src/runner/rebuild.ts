import { EventStore } from '@civicloop/event-store';
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

/**
 * Replays the whole log into a fresh generation of the projection's tables while readers keep the
 * old one, then swaps the generation in with its checkpoint and drops the old tables. A live runner
 * notices the swap at its next commit (its compare-and-set fails) and continues on the new tables.
 */
export async function rebuildProjection(
  rdb: ReadDatabase, store: EventStore, projection: Projection, env: ProjectionEnv, options: RebuildOptions = {},
): Promise<{ generation: number; position: number | null; events: number }> {
  const checkpoints = new CheckpointStore(rdb);
  const current = await checkpoints.ensureProjection(projection);
  const generation = current.generation + 1;
  const tables = allTables(projection);
  for (const table of tables) await dropTable(rdb.db, table, generation);
  for (const table of tables) await createTable(rdb.db, rdb.dialect, table, generation);
  const batchSize = options.batchSize ?? 2000;
  let position: number | null = null;
  let events = 0;
  let head = Number((await store.headPosition()) ?? 0);
  for (;;) {
    const page = await store.readAll({ after: position, limit: batchSize });
    if (page.length === 0) break;
    await rdb.db.transaction().execute((trx) => applyBatch(trx, projection, generation, page, env));
    position = Number(page[page.length - 1].position);
    events += page.length;
    head = Math.max(head, position);
    options.onProgress?.({ projection: projection.name, position, head, events });
  }
  if (!(await checkpoints.swap(projection.name, current.generation, generation, projection.version, position))) {
    for (const table of tables) await dropTable(rdb.db, table, generation);
    throw new Error(`projection ${projection.name} was swapped by someone else during the rebuild; nothing changed`);
  }
  for (const table of tables) await dropTable(rdb.db, table, current.generation);
  return { generation, position, events };
}
