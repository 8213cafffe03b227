import { ApiHarness, startApi, startReplica } from '../support/api-harness';
import { freePort } from '../support/free-port';
import { RedisServer, startRedis } from '../support/redis-server';

/** The intake limit holds across API replicas because the counters live in the shared Redis. */
describe('intake rate limit over two API instances sharing one Redis', () => {
  let redis: RedisServer;
  let first: ApiHarness;
  let second: ApiHarness;
  const limits = { INTAKE_LIMIT_PER_USER: '5', INTAKE_LIMIT_PER_IP: '8', INTAKE_LIMIT_WINDOW_SECONDS: '60' };

  beforeAll(async () => {
    redis = await startRedis();
    first = await startApi({ ...limits, REDIS_URL: redis.url });
    second = await startReplica(first, { ...limits, REDIS_URL: redis.url });
  });
  afterAll(async () => {
    await redis?.client.call('REPLICAOF', 'NO', 'ONE').catch(() => undefined);
    await first?.close();
    await second?.close();
    await redis?.stop();
  });

  const intake = (api: ApiHarness, token: string) => api.request('POST', '/cases', {
    token,
    body: {
      channel: 'online', category: 'repair.lift', urgency: 'normal', requestType: 'help', description: '电梯异响',
      location: { compoundId: 'compound-02' }, reporter: { name: '李先生', phone: '13900000000' },
    },
  });

  it('one user gets 5 intakes in the window however the requests are spread, then 429', async () => {
    const token = first.token('resident', 'compound-05');
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await intake(i % 2 === 0 ? first : second, token)).status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(5);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
    const refused = await intake(second, token);
    expect(refused.body).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    expect(refused.headers.get('retry-after-intake-per-user')).toEqual(expect.any(String));
  });

  it('the per-address limit caps all users behind one address together', async () => {
    // 5 intakes by the first user already came from this address; the address allows 8 in all
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await intake(i % 2 === 0 ? second : first, first.token('operator'))).status);
    expect(statuses).toEqual([201, 201, 201, 429, 429]);
  });

  it('other endpoints are not limited by the intake limit', async () => {
    const operator = first.token('operator');
    for (let i = 0; i < 3; i++) expect((await first.request('GET', '/directory', { token: operator })).status).toBe(200);
  });

  it('while Redis refuses writes intake still answers, limited per instance; shared again once Redis is back', async () => {
    await redis.client.call('REPLICAOF', '127.0.0.1', String(await freePort()));
    const token = first.token('resident', 'compound-07');
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await intake(first, token)).status);
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429, 429]);
    await redis.client.call('REPLICAOF', 'NO', 'ONE');
    await redis.flushAll(); // the earlier tests used up this address's shared allowance
    const later = second.token('resident', 'compound-08');
    const shared: number[] = [];
    for (let i = 0; i < 6; i++) shared.push((await intake(i % 2 === 0 ? first : second, later)).status);
    expect(shared).toEqual([201, 201, 201, 201, 201, 429]);
  });
});
