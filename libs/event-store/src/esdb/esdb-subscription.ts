import { EventStoreDBClient, excludeSystemEvents, START, StreamSubscription } from '@eventstore/db-client';
import { Position, ReadAllOptions, RecordedEvent, SubscribeOptions, Subscription } from '../event-store.port';
import { esdbPosition, isOwnEvent, toRecorded } from './esdb-mapping';

/** Marks an error thrown by the caller's handler: that one stops the subscription, by contract. */
class HandlerFailed {
  constructor(readonly cause: unknown) {}
}

export interface EsdbSubscriptionTuning {
  pageSize?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * Catch-up by paged reads of $all from the checkpoint, then a live filtered $all subscription from
 * the last handled position. A dropped connection or server error does not stop it: it waits
 * (exponential backoff) and starts again from the last handled position, so nothing is skipped
 * and a handler sees an event again only if it threw before the position moved.
 */
export function esdbSubscription(
  client: EventStoreDBClient,
  readAll: (options: ReadAllOptions) => Promise<RecordedEvent[]>,
  options: SubscribeOptions,
  { pageSize = 500, minBackoffMs = 100, maxBackoffMs = 5000 }: EsdbSubscriptionTuning = {},
): Subscription {
  let stopped = false;
  let after: Position | null = options.after ?? null;
  let live = false;
  let current: StreamSubscription | null = null;
  let wakeUp = () => {};

  const handle = async (event: RecordedEvent) => {
    if (after !== null && event.position <= after) return;
    try {
      await options.handler(event);
    } catch (error) {
      throw new HandlerFailed(error);
    }
    after = event.position;
  };

  const pause = (ms: number) => new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    wakeUp = () => { clearTimeout(timer); resolve(); };
  });

  const catchUp = async () => {
    for (;;) {
      const page = await readAll({ after, limit: pageSize });
      for (const event of page) {
        if (stopped) return;
        await handle(event);
      }
      if (page.length < pageSize) return;
    }
  };

  const followLive = async () => {
    current = client.subscribeToAll({
      fromPosition: after === null ? START : esdbPosition(after),
      filter: excludeSystemEvents(),
    });
    const subscription = current;
    try {
      for await (const resolved of subscription) {
        if (stopped) return;
        if (isOwnEvent(resolved)) await handle(toRecorded(resolved));
      }
    } finally {
      // Leaving the loop early (stop, handler error) must also end the gRPC call.
      await subscription.unsubscribe().catch(() => undefined);
    }
  };

  const loop = async () => {
    let backoff = minBackoffMs;
    while (!stopped) {
      try {
        await catchUp();
        if (stopped) return;
        if (!live) {
          live = true;
          options.onLive?.();
        }
        backoff = minBackoffMs;
        await followLive();
      } catch (error) {
        if (error instanceof HandlerFailed) throw error.cause;
        if (stopped) return;
        console.warn(`event store subscription dropped (${describe(error)}); retrying in ${backoff} ms`);
      }
      if (stopped) return;
      await pause(backoff);
      backoff = Math.min(backoff * 2, maxBackoffMs);
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
      wakeUp();
      const subscription = current as StreamSubscription | null;
      if (subscription) {
        await subscription.unsubscribe().catch(() => undefined);
        subscription.destroy();
      }
      await running;
    },
  };
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));
