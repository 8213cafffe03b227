import { setImmediate as turnOfTheEventLoop } from 'node:timers/promises';
import { CheckpointEvent, EventStore } from '@civicloop/event-store';
import { rebuildHead, rebuildPosition } from '@civicloop/platform';
import { ReadDatabase } from '../database';
import { allTables, Projection, ProjectionEnv } from '../projection';
import { createIndexes, createTable, dropTable } from '../table-spec';
import { CheckpointStore } from './checkpoint-store';
import { byCase, Flush, flushSize, RebuildFold } from './rebuild-fold';
import { HeldCases } from './rebuild-hold';
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
  /** Cases let go of that are remembered as such (read back when touched again); past it, every case not held is read back. */
  rememberedCases?: number;
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
 * prepared statements (SQLite) or one JSON text per table and chunk (PostgreSQL, each table in its own
 * transaction, in parallel, while the next pages are folded), in few large transactions; secondary indexes are built once after the
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
    plans.push({ projection, from: current.generation, generation, fold: new RebuildFold(projection, generation, env) });
  }
  const held = new HeldCases(plans.map(({ fold }) => fold), options.cachedCases ?? 10_000, options.rememberedCases);
  const label = projections.map((p) => p.name).join('+');
  const reader: BatchTarget = { db: rdb.db, dialect: rdb.dialect, sqlite: rdb.sqlite };
  let position: number | null = null;
  let positionEvent: CheckpointEvent | null = null;
  let events = 0;
  let head = Number((await store.headPosition()) ?? 0);
  // PostgreSQL: a flush is written while the next pages are folded (the server works while Node
  // folds); a page touching a case of the flush still in flight waits for it, as that case is read back.
  const writing: { inFlight: { done: Promise<void>; cases: Set<string> } | null } = { inFlight: null };
  const settle = async () => {
    const pending = writing.inFlight;
    writing.inFlight = null;
    await pending?.done;
  };
  const write = async (all: boolean) => {
    const flushes = held.evict(all);
    if (!flushes.some((f) => flushSize(f) > 0)) return;
    await settle();
    const done = writeFlushes(rdb, plans, flushes);
    if (all || rdb.dialect === 'sqlite') return done;
    done.catch(() => undefined); // awaited by settle(); no unhandled rejection meanwhile
    writing.inFlight = { done, cases: new Set(flushes.flatMap((f) => [...f.cases])) };
  };
  try {
    for await (const page of readEnvelopePages(store, options.batchSize ?? 5000)) {
      const cases = byCase(page.envelopes);
      const waiting = writing.inFlight?.cases;
      if (waiting && [...cases.keys()].some((caseId) => waiting.has(caseId))) await settle();
      await held.apply(reader, cases);
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
  } finally {
    // Nothing keeps writing behind a failure.
    await writing.inFlight?.done.catch(() => undefined);
  }
  await settle();
  await write(true);
  const tables = plans.flatMap(({ projection, generation }) => allTables(projection).map((table) => ({ table, generation })));
  if (rdb.dialect === 'sqlite') {
    for (const { table, generation } of tables) await createIndexes(rdb.db, table, generation);
  } else {
    await allOf(tables.map(({ table, generation }) => createIndexes(rdb.db, table, generation)));
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
 * table of each projection, run together (as many at once as the pool holds), so the server writes
 * several tables on its cores at once. The tables are the rebuild's own until the swap, so a
 * rebuild that fails half way leaves nothing anyone reads.
 */
async function writeFlushes(rdb: ReadDatabase, plans: { fold: RebuildFold }[], flushes: Flush[]): Promise<void> {
  if (rdb.dialect === 'sqlite') {
    await rdb.db.transaction().execute(async (trx) => {
      for (const [i, { fold }] of plans.entries()) await fold.write({ db: trx, dialect: 'sqlite', sqlite: rdb.sqlite }, flushes[i]);
    });
    return;
  }
  await allOf(plans.flatMap(({ fold }, i) => fold.tablesOf(flushes[i]).map(([spec, rows]) =>
    rdb.db.transaction().execute((trx) => fold.writeTable({ db: trx, dialect: 'postgres' }, spec, rows)))));
}

/** Waits for every one (none is left running behind a failure), then throws the first failure. */
async function allOf(work: Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(work)).find((o) => o.status === 'rejected');
  if (failed) throw failed.reason;
}

export async function rebuildProjection(
  rdb: ReadDatabase, store: EventStore, projection: Projection, env: ProjectionEnv, options: RebuildOptions = {},
): Promise<RebuildResult> {
  return (await rebuildProjections(rdb, store, [projection], env, options))[0];
}
