import 'reflect-metadata';
import { parentPort, workerData } from 'node:worker_threads';
import { CheckpointEvent } from '@civicloop/event-store';
import { ALL_PROJECTIONS } from '../projections';
import { foldIntoGenerations } from './rebuild';
import { checkpointEventAt } from './rebuild-reader';
import type { RebuildSide, RebuildThreadData, RebuildThreadMessage } from './rebuild-thread-types';

/** Another rebuild thread writes the same file: this one waits its turn, however long a commit or an index build of the other takes. */
const WAIT_FOR_WRITER_MS = 600_000;

/** Answers after its connections are closed: the caller may remove the files once it has the answer. */
async function main(port: NonNullable<typeof parentPort>, data: RebuildThreadData): Promise<void> {
  const { openRebuildSide } = (await import(data.recipe.module)) as { openRebuildSide(args: unknown): Promise<RebuildSide> };
  const side = await openRebuildSide(data.recipe.args);
  let folded;
  let untilEvent: CheckpointEvent | null = null;
  try {
    side.rdb.sqlite?.pragma(`busy_timeout = ${WAIT_FOR_WRITER_MS}`);
    const projections = ALL_PROJECTIONS.filter((p) => data.projections.includes(p.name));
    if (projections.length !== data.projections.length) throw new Error(`unknown projections among ${data.projections.join(', ')}`);
    folded = await foldIntoGenerations(side.rdb, side.store, projections, data.plans, side.env, {
      ...data.options, until: data.until, partition: data.partition,
      onProgress: (progress) => port.postMessage({
        kind: 'progress', progress: { ...progress, threadHeapBytes: process.memoryUsage().heapUsed },
      } satisfies RebuildThreadMessage),
    });
    // The event this part's store holds at the rebuild's last position: the caller checks it is the
    // one its own store holds (a part given another copy of the log would fold other events).
    untilEvent = await checkpointEventAt(side.store, data.until);
  } finally {
    // A failure to close must not hide the fold's own failure.
    await side.close().catch(() => undefined);
  }
  port.postMessage({ kind: 'done', folded, untilEvent } satisfies RebuildThreadMessage);
}

if (parentPort) {
  const port = parentPort;
  main(port, workerData as RebuildThreadData).catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    port.postMessage({ kind: 'failed', message, stack: error instanceof Error ? error.stack : undefined } satisfies RebuildThreadMessage);
  });
}
