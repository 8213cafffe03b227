import { freePort } from '../support/free-port';
import { ApiHarness, startApi } from '../support/api-harness';
import { RedisServer, startRedis } from '../support/redis-server';
import { eventually } from './support/deadline-harness';

/**
 * With the worker in the API process (the embedded default), /health must say when deadlines
 * cannot be scheduled: a Redis that answers but refuses writes would otherwise look fine.
 */
describe('/health reports whether deadlines can be scheduled', () => {
  let redis: RedisServer;
  let api: ApiHarness;

  beforeAll(async () => {
    redis = await startRedis();
    api = await startApi({ WORKER_IN_PROCESS: 'true', REDIS_URL: redis.url, DEADLINES_RETRY_MS: '200' });
  });

  afterAll(async () => {
    await redis.client.call('REPLICAOF', 'NO', 'ONE').catch(() => undefined);
    await api?.close();
    await redis?.stop();
  });

  it('up while Redis takes writes; 503 naming the refusal while it does not; up again after', async () => {
    const healthy = await api.request('GET', '/health');
    expect({ status: healthy.status, deadlines: healthy.body.info.deadlines }).toEqual({
      status: 200, deadlines: { status: 'up', enabled: true, redis: 'writable', scheduling: 'following', worker: 'running' },
    });

    await redis.client.call('REPLICAOF', '127.0.0.1', String(await freePort()));
    const refused = await api.request('GET', '/health');
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ code: 'UNHEALTHY', message: 'down: deadlines' });
    expect(refused.body.error.deadlines).toMatchObject({ status: 'down', redis: 'refuses writes' });
    expect(refused.body.error.deadlines.error).toMatch(/READONLY/);
    expect(refused.body.info.eventStore.status).toBe('up');

    await redis.client.call('REPLICAOF', 'NO', 'ONE');
    // The deadline worker paused on the refusal; health is green once it has resumed, within its retry.
    const recovered = await eventually(async () => {
      const health = await api.request('GET', '/health');
      return health.status === 200 && health;
    });
    expect(recovered.body.info.deadlines).toMatchObject({ status: 'up', redis: 'writable', worker: 'running' });
  });

  it('without the worker in the process there is no deadlines entry', async () => {
    const apiOnly = await startApi({ REDIS_URL: redis.url });
    try {
      const health = await apiOnly.request('GET', '/health');
      expect(health.status).toBe(200);
      expect(health.body.info.deadlines).toBeUndefined();
    } finally {
      await apiOnly.close();
    }
  });
});
