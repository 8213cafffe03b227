import { loadConfig, ConfigInvalid } from '@civicloop/platform';
import { idempotencyStoreProvider } from '../../apps/api/src/idempotency/idempotency-store.provider';
import { IdempotencyStore } from '../../apps/api/src/idempotency/idempotency.store';
import { RedisIdempotencyStore } from '../../apps/api/src/idempotency/redis-idempotency.store';
import { ApiHarness, startApi, startReplica } from '../support/api-harness';
import { RedisServer, startRedis } from '../support/redis-server';

const intakeBody = {
  channel: 'online', category: 'repair.lift', urgency: 'normal', requestType: 'help', description: '电梯异响',
  location: { compoundId: 'compound-02' }, reporter: { name: '李先生', phone: '13900000000' },
};

/** The store the API would build for this environment (no app-state file is touched with REDIS_URL). */
const redisStore = (env: Record<string, string>): RedisIdempotencyStore => {
  const factory = (idempotencyStoreProvider as { useFactory: (...args: unknown[]) => IdempotencyStore }).useFactory;
  const store = factory(loadConfig({ NODE_ENV: 'test', ...env }), undefined);
  expect(store).toBeInstanceOf(RedisIdempotencyStore);
  return store as RedisIdempotencyStore;
};

const idempotencyClients = async (redis: RedisServer) =>
  ((await redis.client.client('LIST')) as string).split('\n').filter((line) => line.includes('name=civicloop-idempotency')).length;

/** Two replicas with separate data dirs share nothing but Redis: a retry on the other replica is replayed. */
describe('Idempotency-Key over two API instances sharing one Redis', () => {
  let redis: RedisServer;
  let first: ApiHarness;
  let second: ApiHarness;

  beforeAll(async () => {
    redis = await startRedis();
    first = await startApi({ REDIS_URL: redis.url });
    second = await startReplica(first, { REDIS_URL: redis.url });
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    await redis?.stop();
  });

  it('a retry on the other replica replays the first answer and writes nothing there; another body is 422', async () => {
    const token = first.token('operator');
    const headers = { 'Idempotency-Key': 'intake-across-1' };
    const original = await first.request('POST', '/cases', { token, body: intakeBody, headers });
    const retry = await second.request('POST', '/cases', { token, body: { ...intakeBody }, headers });
    expect(original.status).toBe(201);
    expect(retry).toMatchObject({ status: 201, body: original.body });
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    // the case exists only where it was taken in: the second replica ran nothing
    expect((await first.request('GET', `/cases/${original.body.id}/events`, { token })).body).toHaveLength(1);
    expect((await second.request('GET', `/cases/${original.body.id}`, { token })).status).toBe(404);
    expect((await second.request('GET', '/health')).body.details.eventStore.headPosition).toBeNull(); // an empty store

    const reused = await second.request('POST', '/cases', { token, body: { ...intakeBody, urgency: 'urgent' }, headers });
    expect(reused).toMatchObject({ status: 422, body: { code: 'IDEMPOTENCY_KEY_REUSED' } });
    // keys are per user: another user's same key is a new request
    const otherUser = await second.request('POST', '/cases', { token: second.token('resident', 'compound-05'), body: intakeBody, headers });
    expect(otherUser.status).toBe(201);
    expect(otherUser.body.id).not.toBe(original.body.id);
    expect(otherUser.headers.get('idempotent-replayed')).toBeNull();
  });

  it('simultaneous duplicates on both replicas run the command once', async () => {
    const token = first.token('operator');
    for (let i = 0; i < 5; i++) {
      const headers = { 'Idempotency-Key': `intake-race-${i}` };
      const answers = await Promise.all([first, second].map((api) => api.request('POST', '/cases', { token, body: intakeBody, headers })));
      const ran = answers.filter((a) => a.status === 201 && a.headers.get('idempotent-replayed') === null);
      expect(ran).toHaveLength(1);
      const other = answers.find((a) => a !== ran[0])!;
      if (other.status === 201) expect(other.body).toEqual(ran[0].body);
      else expect(other).toMatchObject({ status: 409, body: { code: 'IDEMPOTENCY_KEY_IN_FLIGHT' } });
    }
  });

  it('a refused command frees its key on every replica', async () => {
    const token = first.token('operator');
    const id = (await first.request('POST', '/cases', { token, body: intakeBody })).body.id;
    const headers = { 'Idempotency-Key': 'dispatch-across-1' };
    const refused = await first.request('POST', `/cases/${id}/dispatch`, { token, body: { assigneeId: 'grid-111', tier: 'street' }, headers });
    expect(refused.status).toBe(400);
    // the same key and body again on the other replica runs again (and is refused there: no such case)
    const again = await second.request('POST', `/cases/${id}/dispatch`, { token, body: { assigneeId: 'grid-111', tier: 'street' }, headers });
    expect(again.headers.get('idempotent-replayed')).toBeNull();
    expect(again.status).toBe(404);
  });

  it('closing an instance closes its Redis connection', async () => {
    expect(await idempotencyClients(redis)).toBe(2);
    await second.close();
    second = undefined as unknown as ApiHarness;
    expect(await idempotencyClients(redis)).toBe(1);
  });
});

describe('RedisIdempotencyStore expiry', () => {
  let redis: RedisServer;
  const stores: RedisIdempotencyStore[] = [];
  const open = (env: Record<string, string> = {}) => {
    const store = redisStore({ REDIS_URL: redis.url, ...env });
    stores.push(store);
    return store;
  };

  beforeAll(async () => { redis = await startRedis(); });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.onApplicationShutdown()));
    await redis?.stop();
  });

  it('IDEMPOTENCY_TTL_SECONDS defaults to a day and refuses nonsense', () => {
    expect(loadConfig({}).IDEMPOTENCY_TTL_SECONDS).toBe(86400);
    expect(() => loadConfig({ IDEMPOTENCY_TTL_SECONDS: '0' })).toThrow(ConfigInvalid);
    expect(() => loadConfig({ IDEMPOTENCY_TTL_SECONDS: 'a day' })).toThrow(/IDEMPOTENCY_TTL_SECONDS/);
  });

  it('an in-flight claim expires within a minute, a completed answer is kept for the retention', async () => {
    const store = open();
    const key = 'civicloop:idempotency:user-1\u0000ttl';
    expect(await store.begin('user-1\u0000ttl', 'f1', new Date())).toBe(true);
    const inFlight = await redis.client.pttl(key);
    expect(inFlight).toBeGreaterThan(0);
    expect(inFlight).toBeLessThanOrEqual(60_000);
    await store.complete('user-1\u0000ttl', 201, { id: 'c1' });
    expect(await redis.client.pttl(key)).toBeGreaterThan(86_000_000);
    expect(await store.find('user-1\u0000ttl')).toEqual({ fingerprint: 'f1', status: 201, body: { id: 'c1' } });
  });

  it('a claim whose process died frees the key; the late process then neither overwrites nor releases it', async () => {
    const [dead, other] = [open({ IDEMPOTENCY_TTL_SECONDS: '1' }), open({ IDEMPOTENCY_TTL_SECONDS: '1' })];
    expect(await dead.begin('user-1\u0000crash', 'f1', new Date())).toBe(true);
    expect(await other.begin('user-1\u0000crash', 'f1', new Date())).toBe(false);
    expect(await other.find('user-1\u0000crash')).toMatchObject({ fingerprint: 'f1', status: null });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await other.find('user-1\u0000crash')).toBeUndefined();
    expect(await other.begin('user-1\u0000crash', 'f1', new Date())).toBe(true);
    // the first holder wakes up late: it must not clobber or drop the claim the other holds now
    await dead.complete('user-1\u0000crash', 201, { id: 'late' });
    await dead.release('user-1\u0000crash');
    expect(await other.find('user-1\u0000crash')).toMatchObject({ fingerprint: 'f1', status: null });
    await other.complete('user-1\u0000crash', 201, { id: 'c2' });
    expect(await dead.find('user-1\u0000crash')).toMatchObject({ status: 201, body: { id: 'c2' } });
  });
});

describe('Idempotency-Key while Redis is away', () => {
  it('a request with a key is refused with 503 rather than run unguarded; one without a key still runs', async () => {
    const redis = await startRedis();
    const api = await startApi({ REDIS_URL: redis.url });
    try {
      await redis.stop();
      const token = api.token('operator');
      const path = '/cases/00000000-0000-4000-8000-000000000000/accept';
      const guarded = await api.request('POST', path, { token, body: {}, headers: { 'Idempotency-Key': 'k-1' } });
      expect(guarded).toMatchObject({ status: 503, body: { code: 'IDEMPOTENCY_UNAVAILABLE' } });
      expect((await api.request('POST', path, { token, body: {} })).status).toBe(404);
    } finally {
      await api.close();
    }
  });
});
