import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import IORedis from 'ioredis';
import { IdempotencyStore, StoredAnswer } from './idempotency.store';

// Write the answer (or drop the claim) only while the key still holds OUR claim: a request that
// outlived its in-flight expiry must not overwrite a claim another replica has taken since.
const COMPLETE = `local current = redis.call('GET', KEYS[1])
if current == false or current == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) return 1 end
return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export interface RedisIdempotencyOptions {
  /** How long a completed answer is replayed. */
  retainMs: number;
  /** How long a claim blocks the key if its process dies mid-request. */
  inFlightMs: number;
}

/**
 * Keys in Redis, shared by every API replica, so a retry that reaches another replica is replayed
 * instead of run twice. Claims are `SET NX PX`; records expire on their own.
 */
export class RedisIdempotencyStore extends IdempotencyStore implements OnApplicationShutdown {
  private readonly log = new Logger('Idempotency');
  /** The claim value this process wrote per key it holds (one holder per key, so one per scope). */
  private readonly claims = new Map<string, string>();

  /** `namespace`: the event store's (keys of two deployments on one Redis never meet). */
  constructor(private readonly redis: IORedis, private readonly options: RedisIdempotencyOptions, private readonly namespace = 'civicloop') {
    super();
  }

  /** A connection that fails a request after a few retries rather than hold it while Redis is away. */
  static connect(url: string, options: RedisIdempotencyOptions, namespace?: string): RedisIdempotencyStore {
    const redis = new IORedis(url, { maxRetriesPerRequest: 3, connectionName: 'civicloop-idempotency' });
    const store = new RedisIdempotencyStore(redis, options, namespace);
    redis.on('error', (error: Error) => store.log.error(`redis: ${error.message}`));
    return store;
  }

  private key(scope: string): string {
    return `${this.namespace}:idempotency:${scope}`;
  }

  async find(scope: string): Promise<StoredAnswer | undefined> {
    const value = await this.redis.get(this.key(scope));
    if (value === null) return undefined;
    const { fingerprint, status, body } = JSON.parse(value) as StoredAnswer;
    return { fingerprint, status, body };
  }

  async begin(scope: string, fingerprint: string, at: Date): Promise<boolean> {
    const claim = JSON.stringify({ fingerprint, status: null, body: null, claim: randomUUID(), at: at.toISOString() });
    const taken = await this.redis.set(this.key(scope), claim, 'PX', this.options.inFlightMs, 'NX');
    if (taken !== 'OK') return false;
    this.claims.set(scope, claim);
    return true;
  }

  async complete(scope: string, status: number, body: unknown): Promise<void> {
    const claim = this.claims.get(scope);
    this.claims.delete(scope);
    if (!claim) return;
    const { fingerprint } = JSON.parse(claim) as StoredAnswer;
    const answer = JSON.stringify({ fingerprint, status, body: body ?? null });
    const written = await this.redis.eval(COMPLETE, 1, this.key(scope), claim, answer, this.options.retainMs);
    if (written !== 1) this.log.warn('a request outlived its idempotency claim; another request holds the key now');
  }

  async release(scope: string): Promise<void> {
    const claim = this.claims.get(scope);
    this.claims.delete(scope);
    if (claim) await this.redis.eval(RELEASE, 1, this.key(scope), claim);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
