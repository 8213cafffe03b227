import { EVENT_STORE, EventStore } from '@civicloop/event-store';
import { startRedis, RedisServer } from '../support/redis-server';
import { DeadlineHarness, eventually, workerEnvironment } from './support/deadline-harness';
import { SECONDS_POLICY, writePolicy } from './support/seconds-policy';
import { WorkerProcess } from './support/worker-process';

const CASES = 500; // two deadlines each (sign-for warning and overdue): 1,000 pending deadlines
const policy = { ...SECONDS_POLICY, defaults: { ...SECONDS_POLICY.defaults, signFor: 'PT24S', warnAt: 0.5 } };

/** Every recorded deadline event by case: the test's source of truth is the event store. */
async function recorded(store: EventStore): Promise<Map<string, string[]>> {
  const byCase = new Map<string, string[]>();
  let after: number | null = null;
  for (;;) {
    const page = await store.readAll({ after, limit: 5000 });
    for (const e of page) {
      if (e.type !== 'SignForWarned' && e.type !== 'SignForOverdue') continue;
      byCase.set(e.streamId, [...(byCase.get(e.streamId) ?? []), e.type]);
    }
    if (page.length < 5000) return byCase;
    after = page[page.length - 1].position;
  }
}

const allFiredOnce = (byCase: Map<string, string[]>) =>
  byCase.size === CASES && [...byCase.values()].every((types) => types.sort().join() === 'SignForOverdue,SignForWarned');

// Child workers boot from TypeScript sources and the deadlines are 12 s and 24 s out: the first worker
// must be up before they fall due (on a loaded machine the 500 cases and the boot take seconds each).
jest.setTimeout(120_000);

describe('deadlines survive a killed worker and a wiped Redis (1,000 pending deadlines)', () => {
  let redis: RedisServer;
  let environment: ReturnType<typeof workerEnvironment>;
  let writer: DeadlineHarness;
  let store: EventStore;
  const workers: WorkerProcess[] = [];

  beforeEach(async () => {
    redis = await startRedis();
    environment = workerEnvironment(redis.url);
    environment.env.SLA_POLICY_FILE = writePolicy(environment.dir, policy);
    // Writes cases as the API would; has no Redis, so it schedules nothing itself.
    writer = await DeadlineHarness.start({ ...environment.env, REDIS_URL: '' });
    store = writer.app.get(EVENT_STORE);
    for (let i = 0; i < CASES; i += 50) {
      await Promise.all(Array.from({ length: Math.min(50, CASES - i) }, () => writer.dispatchedCase()));
    }
  });

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop('SIGKILL')));
    await writer?.close();
    await redis?.stop();
    environment?.cleanup();
  });

  it('SIGKILL while firing, start again: every deadline takes effect exactly once', async () => {
    const first = WorkerProcess.start(environment.env);
    workers.push(first);
    await first.waitFor(/reconciled 1000 pending deadlines of 500 cases/);
    await first.waitFor(/deadlines on/);
    // Kill it in the middle of firing the warnings: some recorded, most still pending.
    await eventually(async () => (await recorded(store)).size > 0, 20_000, 10);
    await first.stop('SIGKILL');
    const atKill = await recorded(store);
    expect(atKill.size).toBeLessThan(CASES);

    const second = WorkerProcess.start(environment.env);
    workers.push(second);
    const done = await eventually(async () => {
      const byCase = await recorded(store);
      return allFiredOnce(byCase) && byCase;
    }, 40_000, 200);
    expect(done.size).toBe(CASES);
    // Nothing more arrives: no duplicate from a stalled job or the reconciler.
    await new Promise((r) => setTimeout(r, 1500));
    expect(allFiredOnce(await recorded(store))).toBe(true);
  });

  it('FLUSHALL, then start two worker replicas: the reconciler restores every deadline, each fires once', async () => {
    const first = WorkerProcess.start(environment.env);
    workers.push(first);
    await first.waitFor(/reconciled 1000 pending deadlines of 500 cases/);
    await first.waitFor(/deadlines on/);
    // the queue lives under the store's namespace (civicloop:<store id>), see libs/platform store-identity;
    // any of its keys will do (which ones exist depends on how many deadlines fell due meanwhile)
    expect(await redis.client.keys(`civicloop:${await store.storeId!()}:civicloop-deadlines:*`)).not.toEqual([]);
    expect(await redis.client.keys('bull:*')).toEqual([]); // not in BullMQ's shared default prefix
    await first.stop('SIGTERM'); // graceful: running jobs finish, so what is recorded now stays
    const firedBefore = [...(await recorded(store)).values()].reduce((n, types) => n + types.length, 0);
    const pendingAtFlush = 2 * CASES - firedBefore;
    expect(pendingAtFlush).toBeGreaterThanOrEqual(CASES); // at least every overdue deadline
    await redis.flushAll();
    expect(await redis.client.dbsize()).toBe(0);

    const replicas = [WorkerProcess.start(environment.env), WorkerProcess.start(environment.env)];
    workers.push(...replicas);
    const reconciled = /reconciled (\d+) pending deadlines of 500 cases/;
    await Promise.all(replicas.map((replica) => replica.waitFor(reconciled)));
    // The first replica up restores everything pending; the other may find some fired already.
    expect(Math.max(...replicas.map((replica) => Number(reconciled.exec(replica.log)![1])))).toBe(pendingAtFlush);
    await eventually(async () => allFiredOnce(await recorded(store)), 40_000, 200);
    await new Promise((r) => setTimeout(r, 1500));
    expect(allFiredOnce(await recorded(store))).toBe(true);
    // Both replicas were up and consuming the same queue the whole time.
    expect(replicas.every((replica) => replica.child.exitCode === null)).toBe(true);
  });
});
