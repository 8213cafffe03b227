import { Provider } from '@nestjs/common';
import Database from 'better-sqlite3';
import { APP_STATE_DB, AppConfig, REDIS_NAMESPACE } from '@civicloop/platform';
import { IdempotencyStore } from './idempotency.store';
import { RedisIdempotencyStore } from './redis-idempotency.store';
import { SqliteIdempotencyStore } from './sqlite-idempotency.store';

/** A claim whose process died mid-request frees its key after this long (at most the retention). */
const IN_FLIGHT_SECONDS = 60;

/** Redis when REDIS_URL is set (replicas share the keys), else the process's own app-state file. */
export const idempotencyStoreProvider: Provider = {
  provide: IdempotencyStore,
  inject: [AppConfig, APP_STATE_DB, REDIS_NAMESPACE],
  useFactory: (config: AppConfig, db: Database.Database, namespace = 'civicloop'): IdempotencyStore => {
    const times = {
      retainMs: config.IDEMPOTENCY_TTL_SECONDS * 1000,
      inFlightMs: Math.min(IN_FLIGHT_SECONDS, config.IDEMPOTENCY_TTL_SECONDS) * 1000,
    };
    return config.REDIS_URL ? RedisIdempotencyStore.connect(config.REDIS_URL, times, namespace) : new SqliteIdempotencyStore(db, times);
  },
};
