import { Position, RecordedEvent, SubscribeOptions, Subscription } from '../event-store.port';
import { AppendSignal } from '../poll-subscription';

/** A page of settled events, and whether committed events wait beyond the horizon (positions.ts). */
export interface SettledPage {
  events: RecordedEvent[];
  pending: boolean;
}

export interface PostgresSubscriptionTuning {
  pageSize?: number;
  /** The safety net: how long a caught-up subscription waits when no notification comes. */
  pollMs?: number;
  /** First wait when events are committed but not yet settled; doubles up to pollMs. */
  pendingMs?: number;
  maxBackoffMs?: number;
}

/** Marks an error thrown by the caller's handler: that one stops the subscription, by contract. */
class HandlerFailed {
  constructor(readonly cause: unknown) {}
}

/**
 * Catch-up then live: reads settled pages after the last handled position until a page is short,
 * then waits for a wake-up (this process's appends, another process's NOTIFY) or the poll interval.
 * When committed events wait behind an older transaction still running, it looks again soon and
 * more slowly each time (that transaction may be a long one that is not ours and sends nothing).
 * A failed read (server restarting, connection lost) does not stop it: it retries with backoff from
 * the last handled position. Only the handler's own error stops it.
 */
export function postgresSubscription(
  readSettled: (after: Position | null, limit: number) => Promise<SettledPage>,
  signal: AppendSignal,
  listen: () => () => void,
  options: SubscribeOptions,
  { pageSize = 500, pollMs = 500, pendingMs = 5, maxBackoffMs = 5000 }: PostgresSubscriptionTuning = {},
): Subscription {
  let stopped = false;
  let after: Position | null = options.after ?? null;
  let live = false;
  let cancelWait = () => {};
  let onStop = () => {};
  const stopping = new Promise<void>((resolve) => { onStop = resolve; });
  const unlisten = listen();

  /** Resolves on the first wake-up after it was called, or after `ms`; stop() cancels it. */
  const arm = (ms: number) => {
    const waiting = signal.wait(ms);
    cancelWait = waiting.cancel;
    return waiting;
  };
  const sleep = (ms: number, wake: Promise<void>) => {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([wake, new Promise<void>((resolve) => { timer = setTimeout(resolve, ms); })]).finally(() => clearTimeout(timer));
  };

  const loop = async () => {
    let pendingWait = pendingMs;
    let backoff = 100;
    let failing = false;
    while (!stopped) {
      // Armed before the read: a wake-up that arrives while the page is read is not lost.
      const wake = arm(pollMs);
      let page: SettledPage;
      try {
        page = await readSettled(after, pageSize);
      } catch (error) {
        if (stopped) return;
        if (!failing) console.warn(`PostgreSQL event store subscription: read failed (${describe(error)}); retrying from position ${after ?? 'start'}`);
        failing = true;
        wake.cancel();
        await sleep(backoff, stopping);
        backoff = Math.min(backoff * 2, maxBackoffMs);
        continue;
      }
      failing = false;
      backoff = 100;
      for (const event of page.events) {
        if (stopped) return wake.cancel();
        try {
          await options.handler(event);
        } catch (error) {
          wake.cancel();
          throw new HandlerFailed(error);
        }
        after = event.position;
      }
      if (page.events.length === pageSize) {
        wake.cancel();
        continue;
      }
      if (!live) {
        live = true;
        options.onLive?.();
      }
      if (page.pending) {
        await sleep(pendingWait, wake.promise);
        pendingWait = Math.min(pendingWait * 2, pollMs);
      } else {
        pendingWait = pendingMs;
        await wake.promise;
      }
      wake.cancel();
    }
  };

  const running = loop().catch((error: unknown) => {
    stopped = true;
    const cause = error instanceof HandlerFailed ? error.cause : error;
    if (options.onError) options.onError(cause);
    else console.error('subscription stopped on error', cause);
  }).finally(unlisten);

  return {
    async stop() {
      stopped = true;
      cancelWait();
      onStop();
      await running;
    },
  };
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));
