import { setImmediate as turnOfTheEventLoop } from 'node:timers/promises';
import { CheckpointEvent, checkpointEventOf, EventStore } from '@civicloop/event-store';
import { rebuildHead, rebuildPosition } from '@civicloop/platform';
import { ReadDatabase } from '../database';
import { allTables, Projection, ProjectionEnv, toEnvelope } from '../projection';
import { createIndexes, createTable, dropTable } from '../table-spec';
import { applyEnvelopes, writeUnwritten } from './apply-batch';
import { CheckpointStore } from './checkpoint-store';
import { DocCache } from './doc-cache';
import { BatchTarget } from './row-writer';

export interface RebuildProgress {
  projection: string;
  position: number;
  head: number;
  events: number;
}

export interface RebuildOptions {
  batchSize?: number;
  /** Working documents kept in memory per projection (least recently used out); bounds the memory. */
  cachedCases?: number;
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
 *
 * Why it scales with the log: each page's envelopes are made once for all projections; working
 * documents and the rows they put stay in memory with their case (bounded, see DocCache) and are
 * written once, when the case falls out or at the end, rather than once per batch; rows go in through prepared statements (SQLite) or one unnest per table (PostgreSQL, each
 * projection in its own transaction, in parallel); secondary indexes are built once after the last
 * row instead of being updated on every upsert; each page gives the event loop a turn, so a
 * rebuild inside the service does not stall its requests.
 */
export async function rebuildProjections(
  rdb: ReadDatabase, store: EventStore, projections: Projection[], env: ProjectionEnv, options: RebuildOptions = {},
): Promise<RebuildResult[]> {
  const checkpoints = new CheckpointStore(rdb);
  const plans: { projection: Projection; from: number; generation: number; cache: DocCache }[] = [];
  for (const projection of projections) {
    const current = await checkpoints.ensureProjection(projection);
    const generation = current.generation + 1;
    for (const table of allTables(projection)) await dropTable(rdb.db, table, generation);
    for (const table of allTables(projection)) await createTable(rdb.db, rdb.dialect, table, generation, { withIndexes: false });
    plans.push({ projection, from: current.generation, generation, cache: new DocCache(options.cachedCases ?? 5_000, true) });
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
    const envelopes = page.map(toEnvelope).filter((e) => e !== null);
    await inTransactions(rdb, plans, (target, plan) => applyEnvelopes(target, plan.projection, plan.generation, envelopes, env, plan.cache));
    position = Number(page[page.length - 1].position);
    positionEvent = checkpointEventOf(page[page.length - 1]);
    events += page.length;
    head = Math.max(head, position);
    options.onProgress?.({ projection: label, position, head, events });
    rebuildPosition.set({ projection: label }, position);
    rebuildHead.set({ projection: label }, head);
    await turnOfTheEventLoop();
  }
  await inTransactions(rdb, plans, (target, plan) => writeUnwritten(target, plan.projection, plan.generation, plan.cache.takeUnwritten()));
  for (const { projection, generation } of plans) {
    for (const table of allTables(projection)) await createIndexes(rdb.db, table, generation);
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

/**
 * SQLite: one transaction for all projections (one connection, one writer). PostgreSQL: one per
 * projection, run together, so the database writes one while Node folds the next.
 */
async function inTransactions<P>(rdb: ReadDatabase, plans: P[], work: (target: BatchTarget, plan: P) => Promise<void>): Promise<void> {
  if (rdb.dialect === 'sqlite') {
    await rdb.db.transaction().execute(async (trx) => {
      for (const plan of plans) await work({ db: trx, dialect: 'sqlite', sqlite: rdb.sqlite }, plan);
    });
    return;
  }
  const outcomes = await Promise.allSettled(plans.map((plan) => rdb.db.transaction().execute((trx) => work({ db: trx, dialect: 'postgres' }, plan))));
  const failed = outcomes.find((o) => o.status === 'rejected');
  if (failed) throw failed.reason;
}

export async function rebuildProjection(
  rdb: ReadDatabase, store: EventStore, projection: Projection, env: ProjectionEnv, options: RebuildOptions = {},
): Promise<RebuildResult> {
  return (await rebuildProjections(rdb, store, [projection], env, options))[0];
}
