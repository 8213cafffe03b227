import { OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';

interface Counter {
  hits: number;
  windowEndsAt: number;
  blockedUntil: number;
}

/**
 * The intake counters of a single API process (no REDIS_URL): a fixed window per key with a block
 * once the limit is passed, the same algorithm as the Redis storage's script, so embedded and
 * replicated deployments limit alike. The library's in-memory storage keeps one timestamp per hit
 * and filters them all on every request (and spreads them into Math.min, which throws past ~10^5
 * hits): with a high limit that made each intake cost O(hits in the window). This costs O(1).
 */
export class WindowThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly counters = new Map<string, Counter>();
  private readonly sweep: NodeJS.Timeout;

  constructor(sweepMs = 60_000) {
    // Keys of users who stopped sending would otherwise stay for the life of the process.
    this.sweep = setInterval(() => this.evictIdle(Date.now()), sweepMs).unref();
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string) {
    const now = Date.now();
    const id = `${key}\u0000${throttlerName}`;
    let counter = this.counters.get(id);
    if (!counter || (counter.windowEndsAt <= now && counter.blockedUntil <= now)) {
      counter = { hits: 0, windowEndsAt: now + ttl, blockedUntil: 0 };
      this.counters.set(id, counter);
    } else if (counter.windowEndsAt <= now) {
      counter.hits = 0;
      counter.windowEndsAt = now + ttl;
    }
    counter.hits += 1;
    if (counter.blockedUntil <= now && counter.hits > limit) counter.blockedUntil = now + blockDuration;
    const isBlocked = counter.blockedUntil > now;
    return {
      totalHits: counter.hits,
      // seconds, as the library's own storage answers (they become Retry-After / X-RateLimit-Reset)
      timeToExpire: Math.ceil((counter.windowEndsAt - now) / 1000),
      isBlocked,
      timeToBlockExpire: isBlocked ? Math.ceil((counter.blockedUntil - now) / 1000) : 0,
    };
  }

  private evictIdle(now: number): void {
    for (const [id, counter] of this.counters) {
      if (counter.windowEndsAt <= now && counter.blockedUntil <= now) this.counters.delete(id);
    }
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweep);
  }
}
