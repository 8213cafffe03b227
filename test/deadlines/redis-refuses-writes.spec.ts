import { Logger } from '@nestjs/common';
import { rmSync } from 'node:fs';
import { DeadlinesService } from '../../libs/consumers/src/deadlines/deadlines.service';
import { freePort } from '../support/free-port';
import { RedisServer, startRedis } from '../support/redis-server';
import { DeadlineHarness, eventually, sleep, workerEnvironment } from './support/deadline-harness';
import { SECONDS_POLICY, writePolicy } from './support/seconds-policy';

jest.setTimeout(60_000);

/** Two ways a running Redis starts refusing writes, and how each is put right. */
const refusals = {
  // What a deleted data directory does to a Redis that snapshots: every write fails with MISCONF.
  MISCONF: {
    async refuse(redis: RedisServer) {
      const [, dir] = (await redis.client.call('CONFIG', 'GET', 'dir')) as string[];
      await redis.client.call('CONFIG', 'SET', 'save', '3600 1');
      rmSync(dir, { recursive: true, force: true });
      await redis.client.call('BGSAVE');
      await eventually(async () => /rdb_last_bgsave_status:err/.test(String(await redis.client.call('INFO', 'persistence'))));
    },
    allow: (redis: RedisServer) => redis.client.call('CONFIG', 'SET', 'save', ''),
  },
  READONLY: {
    refuse: async (redis: RedisServer) => redis.client.call('REPLICAOF', '127.0.0.1', String(await freePort())),
    allow: (redis: RedisServer) => redis.client.call('REPLICAOF', 'NO', 'ONE'),
  },
};

describe.each(Object.keys(refusals) as (keyof typeof refusals)[])('while Redis refuses writes (%s)', (kind) => {
  let redis: RedisServer;
  let environment: ReturnType<typeof workerEnvironment>;
  let harness: DeadlineHarness;
  const logged: { level: string; message: string }[] = [];

  beforeAll(async () => {
    for (const level of ['error', 'warn', 'log'] as const) {
      jest.spyOn(Logger.prototype, level).mockImplementation((...args: unknown[]) => void logged.push({ level, message: String(args[0]) }));
    }
    redis = await startRedis();
    environment = workerEnvironment(redis.url, { DEADLINES_RETRY_MS: '200' });
    environment.env.SLA_POLICY_FILE = writePolicy(environment.dir, {
      ...SECONDS_POLICY, defaults: { ...SECONDS_POLICY.defaults, signFor: 'PT6S', warnAt: 0.5 },
    });
    harness = await DeadlineHarness.start(environment.env);
  });

  afterAll(async () => {
    await refusals[kind].allow(redis).catch(() => undefined);
    await harness?.close();
    await redis?.stop();
    environment?.cleanup();
    jest.restoreAllMocks();
  });

  it('logs the outage once, not per retry; reports it; schedules and fires what came in once Redis takes writes again', async () => {
    const deadlines = harness.app.get(DeadlinesService);
    await refusals[kind].refuse(redis);
    // Taken in while Redis refuses: its sign-for deadlines (warning at 3 s, overdue at 6 s) cannot be set yet.
    const caseId = await harness.dispatchedCase();
    await sleep(2500);

    const refusalLines = logged.filter((l) => l.level === 'error' && l.message.includes(kind));
    expect(refusalLines.length).toBeGreaterThan(0);
    // One line per part that noticed (scheduling, worker, perhaps the queue), not one per retry.
    expect(refusalLines.length).toBeLessThanOrEqual(4);
    const down = await deadlines.health();
    expect(down.up).toBe(false);
    expect(down.details).toMatchObject({ redis: 'refuses writes', worker: 'paused until a write to Redis goes through' });
    expect(down.details.scheduling).toMatchObject({ error: expect.stringContaining(kind) });
    expect(down.details.scheduling).toHaveProperty('failures', expect.any(Number));

    await refusals[kind].allow(redis);
    const events = await eventually(async () => {
      const all = await harness.events(caseId);
      return all.some((e) => e.type === 'SignForOverdue') && all;
    }, 20_000);
    expect(events.filter((e) => e.type === 'SignForWarned')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'SignForOverdue')).toHaveLength(1);

    const up = await eventually(async () => {
      const health = await deadlines.health();
      return health.up && health;
    });
    expect(up.details).toEqual({ enabled: true, redis: 'writable', scheduling: 'following', worker: 'running' });
    const recoveries = logged.filter((l) => l.level === 'log').map((l) => l.message);
    expect(recoveries).toEqual(expect.arrayContaining([
      expect.stringMatching(/^deadline scheduling back after [\d.]+ s/), expect.stringMatching(/^deadline worker back after [\d.]+ s/),
    ]));
  });
});
