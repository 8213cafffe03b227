import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { rebuildHead, rebuildPosition } from '@civicloop/platform';
import { Projection } from '../projection';
import { ALL_PROJECTIONS } from '../projections';
import { keepClaims, RebuildPlan } from './rebuild-claim';
import { dropFreshTables, finishRebuild, Folded, prepareRebuild, rebuildProjections, RebuildOptions, RebuildProgress, RebuildResult } from './rebuild';
import { checkpointEventAt } from './rebuild-reader';
import type { RebuildRecipe, RebuildSide, RebuildThreadData, RebuildThreadMessage } from './rebuild-thread-types';

export interface ThreadOptions {
  /** Parts, a thread each (default: one per core, at most DEFAULT_MAX_THREADS); 1 rebuilds in the calling thread. */
  threads?: number;
  /**
   * Below this many events the rebuild stays in the calling thread: a thread starts by loading its
   * modules and warming its code (~1 s of CPU each), which a short log does not pay back.
   */
  minEventsForThreads?: number;
}

const MIN_EVENTS_FOR_THREADS = 300_000;
/** Each thread holds its own heap, page cache and connections (~450 MB at 1 M events): more only when asked. */
const DEFAULT_MAX_THREADS = 4;
/** Past this a thread count is a typo, not a machine. */
const MAX_THREADS = 64;

/**
 * rebuildProjections with the fold split by case between worker threads: each thread opens its own
 * connections from `recipe`, reads the log up to the same event and folds and writes the cases of
 * its part into the fresh tables; this thread, on `side`, makes the tables before and builds the
 * indexes and swaps each projection in after, as one thread would. On two cores one part folds while
 * the other's rows are written. Meant for an embedded (SQLite) store: every part must stop at the
 * same event, which a store that hides events still being committed may not give (checked: parts
 * that disagree fail the rebuild). A failed part stops the others and drops the fresh tables (they
 * may hold residents' texts that a later erasure would not reach); readers keep the old ones.
 */
export async function rebuildInThreads(
  side: RebuildSide, recipe: RebuildRecipe, projections: Projection[], options: RebuildOptions & ThreadOptions = {},
): Promise<RebuildResult[]> {
  const threads = options.threads ?? Math.min(availableParallelism(), DEFAULT_MAX_THREADS);
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) throw new RangeError(`threads must be a whole number from 1 to ${MAX_THREADS}, not ${threads}`);
  const unknown = projections.find((p) => !ALL_PROJECTIONS.some((known) => known.name === p.name && known.version === p.version));
  // A thread finds its projections by name among ALL_PROJECTIONS: any other would fold nothing and swap in empty tables.
  if (unknown) throw new Error(`projection ${unknown.name} is not one of ALL_PROJECTIONS: a rebuild thread could not fold it`);
  const until = Number((await side.store.headPosition()) ?? 0);
  // An empty log has no event for the parts to stop at: nothing to split.
  if (threads === 1 || until === 0 || until < (options.minEventsForThreads ?? MIN_EVENTS_FOR_THREADS)) {
    return rebuildProjections(side.rdb, side.store, projections, side.env, options);
  }
  const plans = await prepareRebuild(side.rdb, projections);
  const stopKeeping = keepClaims(side.rdb, plans);
  try {
    return await foldAndFinish(side, recipe, projections, plans, until, threads, options);
  } finally {
    stopKeeping();
  }
}

async function foldAndFinish(
  side: RebuildSide, recipe: RebuildRecipe, projections: Projection[], plans: RebuildPlan[], until: number, threads: number, options: RebuildOptions,
): Promise<RebuildResult[]> {
  // The memory of one rebuild in all: each part holds its share of the cases.
  const cachedCases = Math.ceil((options.cachedCases ?? 10_000) / threads);
  const workers: Worker[] = [];
  let folded: Folded;
  try {
    // Where the rebuild's checkpoint will stand: each part reads only its own cases' events, so no
    // part's last event need be this one.
    const positionEvent = await checkpointEventAt(side.store, until);
    if (!positionEvent) throw new Error(`the event at position ${until}, the log's head when the rebuild began, could not be read`);
    const parts = Array.from({ length: threads }, (_, index) => foldOnThread(workers, {
      recipe, projections: projections.map((p) => p.name), plans, until, partition: { index, of: threads },
      options: { batchSize: options.batchSize, cachedCases, rememberedCases: options.rememberedCases },
    }, options.onProgress));
    // The first failure ends the wait (the others are stopped below); a Worker that fails to start
    // throws before Promise.all holds the parts started until then, hence a handler on each.
    for (const part of parts) part.catch(() => undefined);
    const all = await Promise.all(parts);
    // Every part read its store up to `until` and no further, and its store holds there the very
    // event this one does (the same log, not a copy that stops short or goes elsewhere).
    const astray = all.find(({ folded: f, untilEvent }) => (f.position !== null && f.position > until) || untilEvent?.eventId !== positionEvent.eventId);
    if (astray) {
      throw new Error(`a part's log does not end at this one's event at position ${until} (it read to ${astray.folded.position}, holding ${astray.untilEvent?.eventId ?? 'no event'} there); nothing was swapped in: rebuild again`);
    }
    folded = { position: until, positionEvent, events: all.reduce((sum, { folded: f }) => sum + f.events, 0) };
  } catch (error) {
    await Promise.all(workers.map((w) => w.terminate()));
    await dropFreshTables(side.rdb, projections, plans);
    throw error;
  }
  // Past here some projections may be swapped in: their fresh tables are the live ones.
  return finishRebuild(side.rdb, projections, plans, folded);
}

type PartDone = Omit<Extract<RebuildThreadMessage, { kind: 'done' }>, 'kind'>;

function foldOnThread(workers: Worker[], data: RebuildThreadData, onProgress: RebuildOptions['onProgress']): Promise<PartDone> {
  // The service's V8 limits (scripts/run.sh) for each thread's own heap: a page's garbage dies young.
  const worker = new Worker(join(__dirname, 'rebuild-thread-main.js'), {
    workerData: data, resourceLimits: { maxOldGenerationSizeMb: 512, maxYoungGenerationSizeMb: 96 },
  });
  workers.push(worker);
  const part = `${data.partition.index + 1}/${data.partition.of}`;
  return new Promise<PartDone>((resolve, reject) => {
    let answered = false;
    worker.on('message', (message: RebuildThreadMessage) => {
      if (message.kind === 'progress') return report(message.progress, onProgress);
      answered = true;
      // Its connections are closed either way; nothing of the thread is needed past its answer.
      void worker.terminate();
      if (message.kind === 'done') resolve({ folded: message.folded, untilEvent: message.untilEvent });
      else reject(Object.assign(new Error(`rebuild part ${part}: ${message.message}`), { stack: message.stack }));
    });
    worker.on('error', (error) => { answered = true; reject(error); });
    worker.on('exit', (code) => {
      if (!answered) reject(new Error(`the rebuild thread of part ${part} stopped (exit code ${code}) before it answered`));
    });
  });
}

function report(progress: RebuildProgress, onProgress: RebuildOptions['onProgress']): void {
  rebuildPosition.set({ projection: progress.projection }, progress.position);
  rebuildHead.set({ projection: progress.projection }, progress.head);
  // A progress bar that throws must not take the process down from inside a message listener.
  try {
    onProgress?.(progress);
  } catch {
    // progress is only shown
  }
}

