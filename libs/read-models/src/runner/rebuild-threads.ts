import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { rebuildHead, rebuildPosition } from '@civicloop/platform';
import { Projection } from '../projection';
import { CasePartition, finishRebuild, Folded, prepareRebuild, rebuildProjections, RebuildOptions, RebuildPlan, RebuildProgress, RebuildResult } from './rebuild';
import type { RebuildRecipe, RebuildSide, RebuildThreadData, RebuildThreadMessage } from './rebuild-thread-types';

/**
 * rebuildProjections with the fold split by case between worker threads (one per core by default):
 * each thread opens its own connections from `recipe`, reads the log up to the same event and folds
 * and writes the cases of its part into the fresh tables; this thread, on `side`, makes the tables
 * before and builds the indexes and swaps each projection in after, as one thread would. On two
 * cores one part folds while the other's rows are written. A failed part fails the rebuild; the
 * fresh tables stay unswapped (the next rebuild drops them) and readers keep the old ones.
 */
export async function rebuildInThreads(
  side: RebuildSide, recipe: RebuildRecipe, projections: Projection[], options: RebuildOptions & { threads?: number } = {},
): Promise<RebuildResult[]> {
  const threads = Math.max(1, Math.floor(options.threads ?? availableParallelism()));
  // One core: a second read of the log would only cost.
  if (threads === 1) return rebuildProjections(side.rdb, side.store, projections, side.env, options);
  const until = Number((await side.store.headPosition()) ?? 0);
  const plans = await prepareRebuild(side.rdb, projections);
  // The memory of one rebuild in all: each part holds its share of the cases.
  const cachedCases = Math.ceil((options.cachedCases ?? 10_000) / threads);
  const parts = Array.from({ length: threads }, (_, index) => foldOnThread({
    recipe, projections: projections.map((p) => p.name), plans, until, partition: { index, of: threads },
    options: { batchSize: options.batchSize, cachedCases, rememberedCases: options.rememberedCases },
  }, options.onProgress));
  const outcomes = await Promise.allSettled(parts);
  const failed = outcomes.find((o) => o.status === 'rejected');
  if (failed) throw failed.reason;
  const folded = (outcomes[0] as PromiseFulfilledResult<Folded>).value;
  return finishRebuild(side.rdb, projections, plans, folded);
}

function foldOnThread(data: RebuildThreadData, onProgress: RebuildOptions['onProgress']): Promise<Folded> {
  // The service's V8 limits (scripts/run.sh) for each thread's own heap: a page's garbage dies young.
  const worker = new Worker(join(__dirname, 'rebuild-thread-main.js'), {
    workerData: data, resourceLimits: { maxOldGenerationSizeMb: 512, maxYoungGenerationSizeMb: 192 },
  });
  const part = `${data.partition.index + 1}/${data.partition.of}`;
  return new Promise<Folded>((resolve, reject) => {
    let answered = false;
    worker.on('message', (message: RebuildThreadMessage) => {
      if (message.kind === 'progress') {
        report(message.progress, onProgress);
      } else if (message.kind === 'done') {
        answered = true;
        resolve(message.folded);
        // Its connections are closed; nothing of the thread is needed past its answer.
        void worker.terminate();
      } else {
        answered = true;
        reject(Object.assign(new Error(`rebuild part ${part}: ${message.message}`), { stack: message.stack }));
      }
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
  onProgress?.(progress);
}

export type { CasePartition, RebuildPlan };
