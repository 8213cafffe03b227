import { Provider } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { EVENT_STORE, EventStore } from '@civicloop/event-store';
import { AppConfig } from './app-config';
import { describeEventStore } from './event-store.factory';

/** The Redis namespace of the event store this process serves (`civicloop:<store id>`). */
export const REDIS_NAMESPACE = Symbol('RedisNamespace');

/**
 * Every Redis key and BullMQ queue lives under the identity of the event store it serves, so two
 * deployments on one Redis (two data directories, a staging beside production) never take each
 * other's deadline jobs, idempotency answers or intake counters; replicas of one store share them.
 */
export async function redisNamespace(store: EventStore, config: AppConfig): Promise<string> {
  const id = store.storeId
    ? await store.storeId()
    : createHash('sha256').update(describeEventStore(config)).digest('hex').slice(0, 32);
  return `civicloop:${id}`;
}

export const redisNamespaceProvider: Provider = {
  provide: REDIS_NAMESPACE,
  inject: [EVENT_STORE, AppConfig],
  useFactory: redisNamespace,
};
