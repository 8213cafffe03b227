import { Logger } from '@nestjs/common';
import { setImmediate as turnOfTheEventLoop } from 'node:timers/promises';
import { CasePart, casePartOf, CheckpointEvent, EventStore } from '@civicloop/event-store';
import { rebuildHead, rebuildPosition } from '@civicloop/platform';
import { ReadDatabase } from '../database';
import { allTables, Projection, ProjectionEnv } from '../projection';
import { createIndexes, createTable, dropTable, generationsOf } from '../table-spec';
import { CheckpointStore } from './checkpoint-store';
import { claimGenerations, keepClaims, RebuildPlan, releaseClaims } from './rebuild-claim';
import { byCase, CaseGroups, Flush, flushSize, RebuildFold } from './rebuild-fold';
import { HeldCases } from './rebuild-hold';
import { readEnvelopePages } from './rebuild-reader';
import { BatchTarget } from './row-writer';

export interface RebuildProgress {
  projection: string;
  position: number;
  head: number;
  events: number;
  /** V8 heap used by the thread reporting it (rebuildInThreads), when the rebuild runs in a thread of its own. */
  threadHeapBytes?: number;
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
  const plans = await prepareRebuild(rdb, projections);
  const stopKeeping = keepClaims(rdb, plans);
  try {
    let folded: Folded;
    try {
      folded = await foldIntoGenerations(rdb, store, projections, plans, env, options);
    } catch (error) {
      await dropFreshTables(rdb, projections, plans);
      throw error;
    }
    return await finishRebuild(rdb, projections, plans, folded);
  } finally {
    stopKeeping();
  }
}

/**
 * Drops the fresh tables of a rebuild that failed before its swap: they may hold residents' texts
 * that a later erasure would not reach. A failure to drop is logged, not thrown (the rebuild's own
 * failure stays the one thrown); the next rebuild drops what is left before it starts.
 */
export async function dropFreshTables(rdb: ReadDatabase, projections: Projection[], plans: RebuildPlan[]): Promise<void> {
  for (const projection of projections) {
    const plan = plans.find((p) => p.name === projection.name);
    if (!plan) continue;
    try {
      await dropGenerationUnlessLive(rdb, projection, plan.generation);
    } catch (error) {
      new Logger('Rebuild').error(`the fresh tables of ${projection.name} (generation ${plan.generation}) could not be dropped: ${(error as Error).message}`);
    }
  }
  await releaseClaims(rdb, plans);
}

/** What folding the log left: how far it read, and how many events. */
export interface Folded { position: number | null; positionEvent: CheckpointEvent | null; events: number }


/**
 * Claims a fresh generation of each projection (see claimGenerations: refused while another rebuild
 * of one of them runs) and makes its tables, without secondary indexes (built once at the end).
 * First, holding the claim, it drops every generation but the live one: tables of rebuilds that
 * died or were overtaken (they may hold residents' texts that an erasure would not reach).
 */
export async function prepareRebuild(rdb: ReadDatabase, projections: Projection[]): Promise<RebuildPlan[]> {
  const plans = await claimGenerations(rdb, projections);
  try {
    for (const projection of projections) {
      const { from, generation } = planOf(plans, projection);
      for (const table of allTables(projection)) {
        for (const left of await generationsOf(rdb.db, table)) if (left !== from) await dropTable(rdb.db, table, left);
        await createTable(rdb.db, rdb.dialect, table, generation, { withIndexes: false });
      }
    }
  } catch (error) {
    await dropFreshTables(rdb, projections, plans);
    throw error;
  }
  return plans;
}

/**
 * Reads the log (up to `until`, else to its end) once for the projections given and writes their
 * rows into the plans' generations: with `partition`, only the cases of that part (the rows of a
 * case depend on that case's events alone, and every table is keyed by case first).
 */
export async function foldIntoGenerations(
  rdb: ReadDatabase, store: EventStore, projections: Projection[], plans: RebuildPlan[], env: ProjectionEnv,
  options: RebuildOptions & { until?: number; partition?: CasePart } = {},
): Promise<Folded> {
  const folds = projections.map((projection) => new RebuildFold(projection, planOf(plans, projection).generation, env));
  const held = new HeldCases(folds, options.cachedCases ?? 10_000, options.rememberedCases);
  const label = projections.map((p) => p.name).join('+') + (options.partition ? ` ${options.partition.index + 1}/${options.partition.of}` : '');
  const reader: BatchTarget = { db: rdb.db, dialect: rdb.dialect, sqlite: rdb.sqlite };
  let position: number | null = null;
  let positionEvent: CheckpointEvent | null = null;
  let events = 0;
  let head = options.until ?? Number((await store.headPosition()) ?? 0);
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
    const done = writeFlushes(rdb, folds, flushes);
    if (all || rdb.dialect === 'sqlite') return done;
    done.catch(() => undefined); // awaited by settle(); no unhandled rejection meanwhile
    writing.inFlight = { done, cases: new Set(flushes.flatMap((f) => [...f.cases])) };
  };
  try {
    for await (const page of readEnvelopePages(store, options.batchSize ?? 5000, options.until, options.partition)) {
      const cases = options.partition ? partOf(byCase(page.envelopes), options.partition) : byCase(page.envelopes);
      const waiting = writing.inFlight?.cases;
      if (waiting && [...cases.keys()].some((caseId) => waiting.has(caseId))) await settle();
      await held.apply(reader, cases);
      await write(false);
      position = page.position;
      positionEvent = page.checkpointEvent;
      // A part counts its own cases' events (a store may or may not have left the others out).
      events += options.partition ? countEvents(cases) : page.events;
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
  return { position, positionEvent, events };
}

/** Builds the secondary indexes of the fresh generations, then swaps each in with its checkpoint and drops the old tables. */
export async function finishRebuild(rdb: ReadDatabase, projections: Projection[], plans: RebuildPlan[], folded: Folded): Promise<RebuildResult[]> {
  const checkpoints = new CheckpointStore(rdb);
  const tables = projections.flatMap((projection) => allTables(projection).map((table) => ({ table, generation: planOf(plans, projection).generation })));
  try {
    if (rdb.dialect === 'sqlite') {
      for (const { table, generation } of tables) await createIndexes(rdb.db, table, generation);
    } else {
      await allOf(tables.map(({ table, generation }) => createIndexes(rdb.db, table, generation)));
    }
  } catch (error) {
    // A full disk is likeliest here, at the end of a large rebuild.
    await dropFreshTables(rdb, projections, plans);
    throw error;
  }
  const results: RebuildResult[] = [];
  for (const [i, projection] of projections.entries()) {
    const { from, generation, owner } = planOf(plans, projection);
    try {
      if (!(await checkpoints.swap(projection.name, owner, from, generation, projection.version, folded.position, folded.positionEvent))) {
        throw new Error(`projection ${projection.name}: this rebuild's claim lapsed and another rebuild took over; the projection keeps the tables it has`);
      }
      for (const table of allTables(projection)) await dropTable(rdb.db, table, from);
    } catch (error) {
      // This one's fresh tables unless they went live, and those of the projections not reached:
      // dropped and their claims ended, not left to wait two minutes for a rebuild that has stopped.
      await dropFreshTables(rdb, projections.slice(i), plans);
      throw error;
    }
    results.push({ name: projection.name, generation, position: folded.position, events: folded.events });
  }
  return results;
}

/**
 * Drops a rebuild's fresh tables, unless they are the live ones: another rebuild of the same
 * projection (the service's runner and the CLI at once) used the same generation and swapped it in.
 */
export async function dropGenerationUnlessLive(rdb: ReadDatabase, projection: Projection, generation: number): Promise<void> {
  const state = await new CheckpointStore(rdb).read(projection.name);
  if (state?.generation === generation) return;
  for (const table of allTables(projection)) await dropTable(rdb.db, table, generation);
}

function planOf(plans: RebuildPlan[], projection: Projection): RebuildPlan {
  const plan = plans.find((p) => p.name === projection.name);
  if (!plan) throw new Error(`no rebuild plan for projection ${projection.name}`);
  return plan;
}

function countEvents(cases: CaseGroups): number {
  let n = 0;
  cases.forEach((events) => { n += events.length; });
  return n;
}

/** The cases of one part (casePartOf: a store's read by part may already have left the others out). */
function partOf(cases: CaseGroups, { index, of }: CasePart): CaseGroups {
  const part: CaseGroups = new Map();
  cases.forEach((events, caseId) => { if (casePartOf(caseId, of) === index) part.set(caseId, events); });
  return part;
}

/**
 * SQLite: one transaction for all projections (one connection, one writer). PostgreSQL: one per
 * table of each projection, run together (as many at once as the pool holds), so the server writes
 * several tables on its cores at once. The tables are the rebuild's own until the swap, so a
 * rebuild that fails half way leaves nothing anyone reads.
 */
async function writeFlushes(rdb: ReadDatabase, folds: RebuildFold[], flushes: Flush[]): Promise<void> {
  if (rdb.dialect === 'sqlite') {
    await rdb.db.transaction().execute(async (trx) => {
      for (const [i, fold] of folds.entries()) await fold.write({ db: trx, dialect: 'sqlite', sqlite: rdb.sqlite }, flushes[i]);
    });
    return;
  }
  await allOf(folds.flatMap((fold, i) => fold.tablesOf(flushes[i]).map(([spec, rows]) =>
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
