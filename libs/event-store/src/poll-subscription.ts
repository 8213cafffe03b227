import { EventEmitter } from 'node:events';
import { setImmediate as turnOfTheEventLoop } from 'node:timers/promises';
import { Position, ReadAllOptions, RecordedEvent, SubscribeOptions, Subscription } from './event-store.port';

/** Wakes waiting subscriptions when this process appends; other processes are caught by polling. */
export class AppendSignal {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  notify(): void {
    this.emitter.emit('append');
  }

  wait(timeoutMs: number): { promise: Promise<void>; cancel: () => void } {
    let cancel = () => {};
    const promise = new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.emitter.off('append', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.emitter.once('append', done);
      cancel = done;
    });
    return { promise, cancel };
  }
}

/**
 * Catch-up then live subscription built on readAll: read pages after the last handled position
 * until a page comes back empty (caught up), then wait for an append signal or the poll interval.
 */
export function pollingSubscription(
  readAll: (options: ReadAllOptions) => Promise<RecordedEvent[]>,
  signal: AppendSignal,
  options: SubscribeOptions,
  { pageSize = 500, pollMs = 250 } = {},
): Subscription {
  let stopped = false;
  let cancelWait = () => {};
  let after: Position | null = options.after ?? null;
  let live = false;

  const loop = async () => {
    while (!stopped) {
      const page = await readAll({ after, limit: pageSize });
      for (const event of page) {
        if (stopped) return;
        await options.handler(event);
        after = event.position;
      }
      if (page.length < pageSize) {
        if (!live) {
          live = true;
          options.onLive?.();
        }
        if (stopped) return;
        const waiting = signal.wait(pollMs);
        cancelWait = waiting.cancel;
        await waiting.promise;
      } else {
        // Catching up: an embedded store answers synchronously, so without this turn a long
        // catch-up would hold the event loop (no request served, no timer run) until it ended.
        await turnOfTheEventLoop();
      }
    }
  };

  const running = loop().catch((error) => {
    stopped = true;
    if (options.onError) options.onError(error);
    else console.error('subscription stopped on error', error);
  });

  return {
    async stop() {
      stopped = true;
      cancelWait();
      await running;
    },
  };
}
