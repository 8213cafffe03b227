import { setImmediate as turnOfTheEventLoop } from 'node:timers/promises';
import { CheckpointEvent, EventStore } from '@civicloop/event-store';
import { rebuildHead, rebuildPosition } from '@civicloop/platform';
import { ReadDatabase } from '../database';
import { allTables, Projection, ProjectionEnv } from '../projection';
import { createIndexes, createTable, dropTable } from '../table-spec';
import { CheckpointStore } from './checkpoint-store';
import { byCase, flushSize, RebuildFold } from './rebuild-fold';
import { readEnvelopePages } from './rebuild-reader';
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
 * Why it scales with the log: the log is read once, in pages, for all projections (see
 * readEnvelopePages); each projection folds its cases in memory and writes each row once, in its
 * final state, when its case falls out of memory or at the end (see RebuildFold), so the work is
 * that of writing the final rows, whatever the number of events per case; rows go in through
 * prepared statements (SQLite) or one unnest per table (PostgreSQL, each projection in its own
 * transaction, in parallel), in few large transactions; secondary indexes are built once after the
 * last row instead of being updated on every upsert; each page gives the event loop a turn, so a
 * rebuild inside the service does not stall its requests.
 */
export async function rebuildProjections(
  rdb: ReadDatabase, store: EventStore, projections: Projection[], env: ProjectionEnv, options: RebuildOptions = {},
): Promise<RebuildResult[]> {
  const checkpoints = new CheckpointStore(rdb);
  const plans: { projection: Projection; from: number; generation: number; fold: RebuildFold }[] = [];
  for (const projection of projections) {
    const current = await checkpoints.ensureProjection(projection);
    const generation = current.generation + 1;
    for (const table of allTables(projection)) await dropTable(rdb.db, table, generation);
    for (const table of allTables(projection)) await createTable(rdb.db, rdb.dialect, table, generation, { withIndexes: false });
    plans.push({ projection, from: current.generation, generation, fold: new RebuildFold(projection, generation, env, options.cachedCases ?? 10_000) });
  }
  const label = projections.map((p) => p.name).join('+');
  const reader: BatchTarget = { db: rdb.db, dialect: rdb.dialect, sqlite: rdb.sqlite };
  let position: number | null = null;
  let positionEvent: CheckpointEvent | null = null;
  let events = 0;
  let head = Number((await store.headPosition()) ?? 0);
  const write = async (all: boolean) => {
    const flushes = plans.map(({ fold }) => fold.evict(all));
    if (flushes.some((f) => flushSize(f) > 0)) await inTransactions(rdb, plans, (target, plan, i) => plan.fold.write(target, flushes[i]));
  };
  for await (const page of readEnvelopePages(store, options.batchSize ?? 5000)) {
    const cases = byCase(page.envelopes);
    for (const { fold } of plans) await fold.apply(reader, cases);
    await write(false);
    position = page.position;
    positionEvent = page.checkpointEvent;
    events += page.events;
    head = Math.max(head, position);
    options.onProgress?.({ projection: label, position, head, events });
    rebuildPosition.set({ projection: label }, position);
    rebuildHead.set({ projection: label }, head);
    await turnOfTheEventLoop();
  }
  await write(true);
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
async function inTransactions<P>(rdb: ReadDatabase, plans: P[], work: (target: BatchTarget, plan: P, index: number) => Promise<void>): Promise<void> {
  if (rdb.dialect === 'sqlite') {
    await rdb.db.transaction().execute(async (trx) => {
      for (const [i, plan] of plans.entries()) await work({ db: trx, dialect: 'sqlite', sqlite: rdb.sqlite }, plan, i);
    });
    return;
  }
  const outcomes = await Promise.allSettled(plans.map((plan, i) => rdb.db.transaction().execute((trx) => work({ db: trx, dialect: 'postgres' }, plan, i))));
  const failed = outcomes.find((o) => o.status === 'rejected');
  if (failed) throw failed.reason;
}

export async function rebuildProjection(
  rdb: ReadDatabase, store: EventStore, projection: Projection, env: ProjectionEnv, options: RebuildOptions = {},
): Promise<RebuildResult> {
  return (await rebuildProjections(rdb, store, [projection], env, options))[0];
}
