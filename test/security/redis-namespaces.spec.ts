import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENT_STORE, EventStore, SqliteEventStore } from '@civicloop/event-store';
import { migrate } from '../../apps/api/src/cli/migrate/migrate';
import { RedisServer, startRedis } from '../support/redis-server';
import { DeadlineHarness, eventually, sleep, workerEnvironment } from '../deadlines/support/deadline-harness';

const CASES_EACH = 5;

/**
 * Two deployments with their own data directories share one Redis. Before the namespaces each
 * took the other's deadline jobs from the one fixed queue, found no such case and dropped them.
 */
describe('two event stores on one Redis', () => {
  let redis: RedisServer;
  const environments: ReturnType<typeof workerEnvironment>[] = [];
  const instances: DeadlineHarness[] = [];
  const cases: string[][] = [[], []];

  beforeAll(async () => {
    redis = await startRedis();
    for (let i = 0; i < 2; i++) {
      environments.push(workerEnvironment(redis.url));
      instances.push(await DeadlineHarness.start(environments[i].env));
    }
    // sign-for in 4 s (warning at 2 s): every case of both instances is due at about the same time
    for (let n = 0; n < CASES_EACH; n++) for (let i = 0; i < 2; i++) cases[i].push(await instances[i].dispatchedCase());
  }, 60_000);

  afterAll(async () => {
    for (const instance of instances) await instance.close();
    await redis?.stop();
    for (const environment of environments) environment.cleanup();
  });

  it('have two identities, and each deadline takes effect exactly once, in its own instance', async () => {
    const [a, b] = await Promise.all(instances.map((instance) => instance.app.get<EventStore>(EVENT_STORE).storeId!()));
    expect(a).not.toBe(b);
    const deadlineEvents = async (i: number) =>
      Promise.all(cases[i].map(async (id) => (await instances[i].events(id)).filter((e) => e.type === 'SignForWarned' || e.type === 'SignForOverdue').map((e) => e.type)));
    for (const i of [0, 1]) {
      await eventually(async () => (await deadlineEvents(i)).every((types) => types.includes('SignForOverdue')), 20_000);
    }
    await sleep(1500); // a duplicate firing would land by now
    for (const i of [0, 1]) {
      expect(await deadlineEvents(i)).toEqual(cases[i].map(() => ['SignForWarned', 'SignForOverdue']));
      // and no case of the other instance appears here
      for (const id of cases[1 - i]) expect(await instances[i].events(id)).toEqual([]);
    }
    const namespaces = new Set((await redis.client.keys('civicloop:*:civicloop-deadlines:*')).map((key) => key.split(':')[1]));
    expect([...namespaces].sort()).toEqual([a, b].sort());
  }, 60_000);
});

describe('the identity of an embedded store', () => {
  it('is made with the file, kept across reopening, and not carried over by migrate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'civicloop-identity-'));
    try {
      const source = new SqliteEventStore(join(dir, 'a.sqlite'));
      const id = await source.storeId();
      await source.append('case-1', [{ type: 'Noted', data: {}, metadata: { eventId: '00000000-0000-4000-8000-000000000001', occurredAt: new Date().toISOString(), correlationId: 'c', causationId: 'c', actor: { id: 'x', role: 'operator', unitId: null } } } as never], 'no_stream');
      const target = new SqliteEventStore(join(dir, 'b.sqlite'));
      await migrate({ from: { name: 'a', store: source }, to: { name: 'b', store: target }, checkpointFile: join(dir, 'checkpoint.json') });
      expect(await target.headPosition()).toBe(1);
      expect(await target.storeId()).not.toBe(id);
      await source.close();
      const reopened = new SqliteEventStore(join(dir, 'a.sqlite'));
      expect(await reopened.storeId()).toBe(id);
      await reopened.close();
      await target.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
