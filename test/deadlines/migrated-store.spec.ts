import { Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { connectEsdb, EVENT_STORE, EventStore, SqliteEventStore } from '@civicloop/event-store';
import { systemClock } from '@civicloop/platform';
import { migrate } from '../../apps/api/src/cli/migrate/migrate';
import { DeadlineCheckpoint } from '../../libs/consumers/src/deadlines/deadline-checkpoint';
import { DEADLINE_QUEUE, DeadlineJobData, redisConnection } from '../../libs/consumers/src/deadlines/deadline-queue';
import { DeadlineScheduler } from '../../libs/consumers/src/deadlines/deadline-scheduler';
import { loadSlaRules } from '../../libs/consumers/src/deadlines/sla-rules';
import { EsdbStandIn, startEsdbStandIn } from '../esdb-stand-in/stand-in-server';
import { RedisServer, startRedis } from '../support/redis-server';
import { DeadlineHarness, eventually, workerEnvironment } from './support/deadline-harness';
import { SECONDS_POLICY, writePolicy } from './support/seconds-policy';

jest.setTimeout(60_000);

// Deadlines an hour out: nothing fires during the test, every job stays in the delayed set.
const policy = { ...SECONDS_POLICY, defaults: { ...SECONDS_POLICY.defaults, signFor: 'PT1H', resolve: 'PT1H' } };

/**
 * The scheduler's checkpoint lives in app.sqlite, which a deployment keeps when it moves its event
 * store. Moving EventStoreDB → SQLite leaves a log offset far beyond the new store's head there.
 */
describe('the deadline checkpoint survives a migration of the event store', () => {
  let redis: RedisServer;
  let environment: ReturnType<typeof workerEnvironment>;
  let writer: DeadlineHarness;
  let standIn: EsdbStandIn;
  let queue: Queue<DeadlineJobData>;
  let connection: ReturnType<typeof redisConnection>;
  const closing: { close(): unknown }[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    environment = workerEnvironment(redis.url);
    environment.env.SLA_POLICY_FILE = writePolicy(environment.dir, policy);
    // Writes cases into the original SQLite store as the API would; schedules nothing itself.
    writer = await DeadlineHarness.start({ ...environment.env, REDIS_URL: '' });
    standIn = await startEsdbStandIn();
    connection = redisConnection(redis.url);
    queue = new Queue<DeadlineJobData>(DEADLINE_QUEUE, { connection });
  });
  afterAll(async () => {
    await queue?.close();
    await connection?.quit();
    for (const c of closing.reverse()) await c.close();
    await writer?.close();
    await standIn?.stop();
    await redis?.stop();
    environment?.cleanup();
  });

  const scheduledFor = async (caseId: string) =>
    (await queue.getJobs(['delayed', 'wait', 'prioritized'])).filter((job) => job.data.caseId === caseId).map((job) => job.data.deadlineId);

  it('EventStoreDB (stand-in) → SQLite with the same app.sqlite: a new event after the switch gets its deadline', async () => {
    const source: EventStore = writer.app.get(EVENT_STORE);
    for (let i = 0; i < 3; i++) await writer.dispatchedCase();
    const esdb = await connectEsdb(standIn.connectionString);
    closing.push(esdb);
    const toEsdb = () => migrate({ from: { name: 'sqlite', store: source }, to: { name: 'esdb', store: esdb }, checkpointFile: join(environment.dir, 'a.json') });
    await toEsdb();

    const appState = new Database(join(environment.dir, 'app.sqlite'));
    closing.push(appState);
    const rules = loadSlaRules(environment.env.SLA_POLICY_FILE);
    const schedulerOn = (store: EventStore) => new DeadlineScheduler(store, queue, rules, new DeadlineCheckpoint(appState), systemClock);

    const onEsdb = schedulerOn(esdb);
    await onEsdb.start();
    expect(onEsdb.failing).toBeNull();
    await onEsdb.stop();
    const esdbCheckpoint = new DeadlineCheckpoint(appState).read()!;
    expect(esdbCheckpoint.position).toBe(await esdb.headPosition());

    // The switch: the whole history into a fresh SQLite file; app.sqlite keeps the log offset.
    const back = new SqliteEventStore(join(environment.dir, 'back.sqlite'));
    closing.push(back);
    const toBack = () => migrate({ from: { name: 'esdb', store: esdb }, to: { name: 'back', store: back }, checkpointFile: join(environment.dir, 'b.json') });
    await toBack();
    expect(esdbCheckpoint.position).toBeGreaterThan(Number(await back.headPosition()));

    const warnings: string[] = [];
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));
    const onBack = schedulerOn(back);
    try {
      await onBack.start();
      // A case taken in after the switch, carried over by the migrations' resume.
      const caseId = await writer.dispatchedCase();
      await toEsdb();
      await toBack();
      const scheduled = await eventually(async () => (await scheduledFor(caseId)).length > 0 && scheduledFor(caseId), 10_000);
      expect(scheduled.sort()).toEqual(['sign_for_overdue@1', 'sign_for_warning@1']);
      expect(onBack.failing).toBeNull();
    } finally {
      await onBack.stop();
      warn.mockRestore();
    }
    expect(warnings.join('\n')).toMatch(/checkpoint \d+ is from another store: event .* is at \d+ here/);
    const head = (await back.readAll({ after: Number(await back.headPosition()) - 1 }))[0];
    expect(new DeadlineCheckpoint(appState).read()).toEqual({
      position: head.position, event: { eventId: head.metadata.eventId, streamId: head.streamId, revision: head.revision },
    });
  });

  it.each([
    ['whose event this store does not hold', (db: Database.Database) => {
      new DeadlineCheckpoint(db).replace(1e12, { eventId: '00000000-0000-4000-8000-000000000000', streamId: 'case-elsewhere', revision: 3 });
    }],
    ['stored before checkpoints named their event (old table)', (db: Database.Database) => {
      db.exec('CREATE TABLE deadline_checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL)');
      db.prepare('INSERT INTO deadline_checkpoints VALUES (?, ?)').run('deadline-scheduler', 1e12);
    }],
  ])('a checkpoint %s is dropped, not trusted: new events get their deadlines', async (label, storeCheckpoint) => {
    const source: EventStore = writer.app.get(EVENT_STORE);
    await writer.dispatchedCase();
    const appState = new Database(join(environment.dir, `app-${label.replace(/\W+/g, '-')}.sqlite`));
    closing.push(appState);
    storeCheckpoint(appState);
    const scheduler = new DeadlineScheduler(source, queue, loadSlaRules(environment.env.SLA_POLICY_FILE), new DeadlineCheckpoint(appState), systemClock);
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      await scheduler.start();
      const caseId = await writer.dispatchedCase();
      expect(await eventually(async () => (await scheduledFor(caseId)).length === 2, 10_000)).toBe(true);
      expect(scheduler.failing).toBeNull();
    } finally {
      await scheduler.stop();
      warn.mockRestore();
    }
    expect(new DeadlineCheckpoint(appState).read()!.position).toBe(await source.headPosition());
  });
});
