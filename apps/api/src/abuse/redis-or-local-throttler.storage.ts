import { Logger, OnApplicationShutdown, OnModuleDestroy } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { Outage } from '@civicloop/platform';
import { WindowThrottlerStorage } from './window-throttler.storage';

/**
 * The shared Redis counters, and this process's own while Redis fails (refusing writes, timing out).
 * A resident's complaint must not be refused with a 500 because a counter could not be written;
 * counting per instance for a while keeps a limit in place, only looser across replicas.
 */
export class RedisOrLocalThrottlerStorage implements ThrottlerStorage, OnModuleDestroy, OnApplicationShutdown {
  private readonly shared: ThrottlerStorageRedisService;
  private readonly local = new WindowThrottlerStorage();
  private readonly outage = new Outage(new Logger('IntakeLimits'), 'shared intake counters in Redis (counting per instance meanwhile)');

  constructor(redisUrl: string, keyPrefix: string) {
    // Fail fast: a request waits on at most one try, the next request tries Redis again.
    this.shared = new ThrottlerStorageRedisService(redisUrl, { keyPrefix, maxRetriesPerRequest: 1, commandTimeout: 1000 });
    this.shared.redis.on('error', (error: Error) => this.outage.failed(error));
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string) {
    try {
      const record = await this.shared.increment(key, ttl, limit, blockDuration, throttlerName);
      this.outage.recovered();
      return record;
    } catch (error) {
      this.outage.failed(error);
      return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
    }
  }

  onModuleDestroy(): void {
    this.shared.onModuleDestroy();
  }

  onApplicationShutdown(): void {
    this.local.onApplicationShutdown();
  }
}
