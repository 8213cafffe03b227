import { WindowThrottlerStorage } from '../../apps/api/src/abuse/window-throttler.storage';
import { ApiHarness, startApi } from '../support/api-harness';

describe('intake limit of a single API process (no Redis)', () => {
  describe('WindowThrottlerStorage', () => {
    let storage: WindowThrottlerStorage;
    beforeEach(() => {
      jest.useFakeTimers({ now: new Date('2026-03-02T01:00:00.000Z') });
      storage = new WindowThrottlerStorage();
    });
    afterEach(() => {
      storage.onApplicationShutdown();
      jest.useRealTimers();
    });

    it('counts hits per key and throttler in a fixed window, blocks past the limit, and opens again after the block', async () => {
      const hit = (key = 'user:a', name = 'per-user') => storage.increment(key, 60_000, 3, 60_000, name);
      for (let i = 1; i <= 3; i++) expect(await hit()).toMatchObject({ totalHits: i, isBlocked: false, timeToExpire: 60 });
      expect(await hit('user:b')).toMatchObject({ totalHits: 1, isBlocked: false });
      expect(await hit('user:a', 'per-ip')).toMatchObject({ totalHits: 1, isBlocked: false });
      jest.advanceTimersByTime(10_000);
      expect(await hit()).toMatchObject({ totalHits: 4, isBlocked: true, timeToBlockExpire: 60, timeToExpire: 50 });
      jest.advanceTimersByTime(55_000); // the window is over, the block is not
      expect(await hit()).toMatchObject({ isBlocked: true, timeToBlockExpire: 5 });
      jest.advanceTimersByTime(5_000);
      expect(await hit()).toMatchObject({ totalHits: 2, isBlocked: false });
    });

    it('keeps one counter per key however many hits it takes, and forgets it once its window and block are over', async () => {
      // the library's own in-memory storage keeps (and filters on every hit) one timestamp per hit
      const counters = (storage as unknown as { counters: Map<string, unknown> }).counters;
      for (let i = 0; i < 5_000; i++) await storage.increment('user:load', 60_000, 1e8, 60_000, 'per-user');
      await storage.increment('user:other', 60_000, 1e8, 60_000, 'per-user');
      expect(counters.size).toBe(2);
      expect(JSON.stringify([...counters.values()]).length).toBeLessThan(200);
      jest.advanceTimersByTime(120_000); // past the window; the sweep runs every minute
      expect(counters.size).toBe(0);
    });
  });

  describe('over HTTP', () => {
    let api: ApiHarness;
    beforeAll(async () => {
      api = await startApi({ INTAKE_LIMIT_PER_USER: '2', INTAKE_LIMIT_PER_IP: '100', INTAKE_LIMIT_WINDOW_SECONDS: '60' });
    });
    afterAll(() => api?.close());

    it('refuses the intake past the per-user limit with 429 and Retry-After', async () => {
      const token = api.token('resident', 'compound-05');
      const body = {
        channel: 'online', category: 'repair.lift', urgency: 'normal', requestType: 'help', description: '电梯异响',
        location: { compoundId: 'compound-02' }, reporter: { name: '李先生', phone: '13900000000' },
      };
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await api.request('POST', '/cases', { token, body })).status);
      expect(statuses).toEqual([201, 201, 429]);
      const refused = await api.request('POST', '/cases', { token, body });
      expect(refused.body).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
      expect(Number(refused.headers.get('retry-after-intake-per-user'))).toBeGreaterThan(0);
      expect((await api.request('POST', '/cases', { token: api.token('operator'), body })).status).toBe(201);
    });
  });
});
