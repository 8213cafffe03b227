import Database from 'better-sqlite3';
import { Job, Queue } from 'bullmq';
import { DEADLINE_QUEUE, DeadlineJobData } from '@civicloop/consumers';
import { REDIS_NAMESPACE } from '@civicloop/platform';
import { RedisServer, startRedis } from '../support/redis-server';
import { DeadlineHarness, eventually, workerEnvironment } from './support/deadline-harness';

jest.setTimeout(90_000);

/**
 * A deadline falls due while the event store cannot write (another process holds its write lock past
 * the writer's busy_timeout of 5 s): the job goes back to the delayed set without spending an
 * attempt, so no outage, however long, can use up its attempts and leave the deadline in the failed set.
 */
describe('a deadline due while the event store cannot write', () => {
  let redis: RedisServer;
  let environment: ReturnType<typeof workerEnvironment>;
  let harness: DeadlineHarness;
  let queue: Queue<DeadlineJobData>;

  beforeAll(async () => {
    redis = await startRedis();
    environment = workerEnvironment(redis.url);
    harness = await DeadlineHarness.start(environment.env);
    queue = new Queue<DeadlineJobData>(DEADLINE_QUEUE, { connection: { url: redis.url }, prefix: harness.app.get<string>(REDIS_NAMESPACE) });
  });
  afterAll(async () => {
    await queue?.close();
    await harness?.close();
    await redis?.stop();
    environment?.cleanup();
  });

  it('waits for the store without spending an attempt, then records the deadline', async () => {
    const caseId = await harness.dispatchedCase(); // sign-for warning due in 2 s, overdue in 4 s
    const jobsOfCase = async () => (await queue.getJobs(['delayed', 'waiting', 'active', 'failed', 'prioritized']))
      .filter((job: Job<DeadlineJobData>) => job.data.caseId === caseId);
    const holder = new Database(harness.config.eventStoreFile);
    holder.exec('BEGIN IMMEDIATE');
    try {
      // a job that ran, met the locked store (after the writer's 5 s busy wait) and is waiting again
      const putBack = await eventually(async () => {
        for (const job of await jobsOfCase()) {
          if (job.processedOn !== undefined && (await job.getState()) === 'delayed') return job;
        }
        return undefined;
      }, 30_000, 100);
      expect({ attemptsMade: putBack.attemptsMade, failedReason: putBack.failedReason }).toEqual({ attemptsMade: 0, failedReason: undefined });
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    const events = await eventually(async () => {
      const all = await harness.events(caseId);
      return all.some((e) => e.type === 'SignForOverdue') && all;
    }, 30_000);
    expect(events.filter((e) => e.type === 'SignForWarned')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'SignForOverdue')).toHaveLength(1);
  });
});
