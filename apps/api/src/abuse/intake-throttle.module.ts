import { DynamicModule } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { AppConfig, REDIS_NAMESPACE } from '@civicloop/platform';
import { RedisOrLocalThrottlerStorage } from './redis-or-local-throttler.storage';
import { WindowThrottlerStorage } from './window-throttler.storage';

/**
 * Intake limits per user and per client address. The counters live in Redis when REDIS_URL is set,
 * so every API replica counts against the same limit; without Redis, or while it fails, they are
 * per process (same fixed-window algorithm either way).
 */
export function intakeThrottleModule(config: AppConfig): DynamicModule {
  const ttl = config.INTAKE_LIMIT_WINDOW_SECONDS * 1000;
  return ThrottlerModule.forRootAsync({
    inject: [REDIS_NAMESPACE],
    useFactory: (namespace: string) => ({
      throttlers: [
        { name: 'intake-per-user', ttl, limit: config.INTAKE_LIMIT_PER_USER, getTracker: (req) => `user:${req.actor?.id ?? 'anonymous'}` },
        { name: 'intake-per-ip', ttl, limit: config.INTAKE_LIMIT_PER_IP, getTracker: (req) => `ip:${req.ip}` },
      ],
      storage: config.REDIS_URL
        ? new RedisOrLocalThrottlerStorage(config.REDIS_URL, `${namespace}:throttle:`)
        : new WindowThrottlerStorage(),
      errorMessage: 'too many cases taken in from this user or address; try again later',
    }),
  });
}
