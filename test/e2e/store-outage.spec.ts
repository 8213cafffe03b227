import Database from 'better-sqlite3';
import { ApiHarness, startApi } from '../support/api-harness';

const intake = {
  channel: 'hotline_12345', category: 'repair.water_leak', urgency: 'normal', requestType: 'help',
  description: '楼顶漏水，雨天渗到卧室', location: { compoundId: 'compound-01', building: '3栋' },
  reporter: { name: '王女士', phone: '13800138000' },
};

/** The embedded event store cannot write (another process holds its write lock past busy_timeout): a 503 to retry, never a 500. */
describe('an event store that cannot write now', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(async () => {
    await api?.close();
  });

  it('answers a command 503 STORE_UNAVAILABLE with Retry-After, writes nothing, and takes it once the lock is free', async () => {
    const operator = api.token('operator');
    expect((await api.request('POST', '/cases', { token: operator, body: intake })).status).toBe(201);
    const holder = new Database(api.config.eventStoreFile);
    holder.exec('BEGIN IMMEDIATE'); // e.g. a CLI tool's long transaction on the same file
    try {
      const refused = await api.request('POST', '/cases', { token: operator, body: intake }); // waits the writer's busy_timeout (5 s)
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(refused.body).toEqual({ code: 'STORE_UNAVAILABLE', message: expect.stringMatching(/retry/) });
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    const board = new Database(api.config.eventStoreFile, { readonly: true });
    try {
      expect(board.prepare('SELECT COUNT(*) AS n FROM events').get()).toEqual({ n: 1 });
    } finally {
      board.close();
    }
    expect((await api.request('POST', '/cases', { token: operator, body: intake })).status).toBe(201);
  }, 30_000);
});
