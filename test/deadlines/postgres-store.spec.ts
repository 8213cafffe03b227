import { EVENT_STORE, EventStore, PostgresEventStore, storedEventsOf } from '@civicloop/event-store';
import { PostgresServer, startPostgres } from '../support/postgres-server';
import { RedisServer, startRedis } from '../support/redis-server';
import { DeadlineHarness, eventually, workerEnvironment } from './support/deadline-harness';
import { SECONDS_POLICY, writePolicy } from './support/seconds-policy';
import { WorkerProcess } from './support/worker-process';

// Worker processes boot from TypeScript sources; deadlines are 3 s and 6 s out.
jest.setTimeout(120_000);

const policy = { ...SECONDS_POLICY, defaults: { ...SECONDS_POLICY.defaults, signFor: 'PT6S', warnAt: 0.5 } };

/** Deadline events by case, read from the store (the test's source of truth). */
async function recorded(store: EventStore): Promise<Map<string, string[]>> {
  const byCase = new Map<string, string[]>();
  for (let after: number | null = null, page = await store.readAll({ limit: 5000 }); page.length; page = await store.readAll({ after, limit: 5000 })) {
    for (const e of page) {
      if (e.type === 'SignForWarned' || e.type === 'SignForOverdue') byCase.set(e.streamId, [...(byCase.get(e.streamId) ?? []), e.type]);
    }
    after = page[page.length - 1].position;
  }
  return byCase;
}

/**
 * The deadlines suite once on the PostgreSQL event store (EVENTSTORE_CONNECTION_STRING=postgres://…):
 * cases written by this process, the worker in its own process following $all through the adapter
 * (catch-up, then live by LISTEN/NOTIFY), killed and started again from its checkpoint.
 */
describe('deadlines on the PostgreSQL event store, worker in its own process', () => {
  let redis: RedisServer;
  let pg: PostgresServer;
  let environment: ReturnType<typeof workerEnvironment>;
  let writer: DeadlineHarness;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    [redis, pg] = await Promise.all([startRedis(), startPostgres()]);
    environment = workerEnvironment(redis.url, { EVENTSTORE_CONNECTION_STRING: await pg.createDatabase('events') });
    environment.env.SLA_POLICY_FILE = writePolicy(environment.dir, policy);
    writer = await DeadlineHarness.start({ ...environment.env, REDIS_URL: '' }); // writes as the API would, schedules nothing
  });
  afterAll(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop('SIGKILL')));
    await writer?.close();
    await redis?.stop();
    await pg?.stop();
    environment?.cleanup();
  });

  it('cases written before the worker starts, while it runs and while it is dead all get each deadline exactly once', async () => {
    const store: EventStore = writer.app.get(EVENT_STORE);
    expect(storedEventsOf(store)).toBeInstanceOf(PostgresEventStore);
    const cases: string[] = [];
    const write = async (n: number) => { cases.push(...(await Promise.all(Array.from({ length: n }, () => writer.dispatchedCase())))); };
    const allFiredOnce = (byCase: Map<string, string[]>) => cases.every((id) => (byCase.get(`case-${id}`) ?? []).sort().join() === 'SignForOverdue,SignForWarned');

    await write(15);
    const first = WorkerProcess.start(environment.env);
    workers.push(first);
    await first.waitFor(/reconciled 30 pending deadlines of 15 cases/);
    await first.waitFor(/deadlines on/);
    await write(15); // live: reach the worker by NOTIFY
    await eventually(async () => allFiredOnce(await recorded(store)), 40_000, 200);

    await first.stop('SIGKILL');
    await write(10); // while no worker runs: caught up from the checkpoint at the next start
    const second = WorkerProcess.start(environment.env);
    workers.push(second);
    await eventually(async () => allFiredOnce(await recorded(store)), 40_000, 200);
    await new Promise((r) => setTimeout(r, 1500)); // nothing more arrives: no duplicate
    const byCase = await recorded(store);
    expect(allFiredOnce(byCase)).toBe(true);
    expect(byCase.size).toBe(40);
  });
});
