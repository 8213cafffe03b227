import 'reflect-metadata';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Queue, Worker } from 'bullmq';
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flattenSlaTerms, SlaTerms } from '@civicloop/domain';
import { EVENT_STORE, EventStore, NewEvent, SqliteEventStore } from '@civicloop/event-store';
import { loadConfig, systemClock } from '@civicloop/platform';
import { DeadlineCheckpoint } from '../../libs/consumers/src/deadlines/deadline-checkpoint';
import { DEADLINE_QUEUE, DeadlineJobData, deadlineJob, redisConnection, scheduleDeadlines } from '../../libs/consumers/src/deadlines/deadline-queue';
import { DeadlineScheduler } from '../../libs/consumers/src/deadlines/deadline-scheduler';
import { DeadlinesService } from '../../libs/consumers/src/deadlines/deadlines.service';
import { loadSlaRules } from '../../libs/consumers/src/deadlines/sla-rules';
import { WorkerAppModule } from '../../apps/worker/src/worker-app.module';
import { startRedis } from '../../test/support/redis-server';
import { figure, percentile, round, writeResult } from '../harness/result';

const CASES = Number(process.env.BENCH_DEADLINE_CASES ?? 50_000); // two deadlines each: 100,000 pending
const LIVE_CASES = Number(process.env.BENCH_DEADLINE_LIVE_CASES ?? 2_000);
const FIRING_CASES = Number(process.env.BENCH_DEADLINE_FIRING_CASES ?? 1_000);
const FIRING_SPREAD_MS = 10_000;
const FIRING_START_MS = 3_000;

const terms = (signFor: string): SlaTerms => ({
  policyVersion: 'bench', calendar: 'wallclock', signFor, resolve: 'P7D', whistleReport: 'PT30M',
  supervisionAnswer: 'P1D', ratingWindow: 'P3D', warnAt: 0.5, escalateOnResolveOverdue: ['grid>community'],
});

/** Intake and dispatch of one case in one commit, shaped as the API writes them. */
function dispatchedCase(caseId: string, at: string, signFor: string): NewEvent[] {
  const streamId = `case-${caseId}`;
  const metadata = () => {
    const id = randomUUID();
    return {
      eventId: randomUUID(), streamId, caseId, occurredAt: at, actor: { id: 'user-operator-1', role: 'operator', unitId: 'district-qinhuai' },
      commandId: id, correlationId: id, causationId: id, schemaVersion: 1,
    };
  };
  return [
    {
      type: 'CaseReceived',
      data: {
        caseId, channel: 'hotline_12345', category: 'repair.water_leak', urgency: 'normal', requestType: 'complaint', description: '漏水',
        compoundId: 'compound-01', building: null, unit: null, lat: null, long: null, reporterName: '王', reporterPhone: '138',
        anonymous: false, residentId: null, ...flattenSlaTerms(terms(signFor)),
      },
      metadata: metadata(),
    },
    { type: 'CaseDispatched', data: { assigneeId: 'grid-111', tier: 'grid' }, metadata: metadata() },
  ];
}

async function appendCases(store: EventStore, count: number, signFor: (i: number) => string, at = () => new Date().toISOString()) {
  for (let i = 0; i < count; i++) {
    const caseId = randomUUID();
    await store.append(`case-${caseId}`, dispatchedCase(caseId, at(), signFor(i)), 'no_stream');
  }
}

const seconds = (began: bigint) => Number(process.hrtime.bigint() - began) / 1e9;

export async function run(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'civicloop-bench-deadlines-'));
  const redis = await startRedis();
  const policyFile = join(dir, 'policy.json');
  writeFileSync(policyFile, JSON.stringify({
    version: 'bench', calendar: 'wallclock', rules: [],
    defaults: { signFor: 'PT24H', resolve: 'P7D', whistleReport: 'PT30M', supervisionAnswer: 'P1D', ratingWindow: 'P3D', warnAt: 0.5 },
  }));
  const env = { DATA_DIR: dir, REDIS_URL: redis.url, SLA_POLICY_FILE: policyFile, NODE_ENV: 'test' };
  let app: INestApplicationContext | null = null;
  try {
    // 1. The store: CASES cases waiting to be signed for, a day out: 2 × CASES pending deadlines.
    const store = new SqliteEventStore(join(dir, 'events.sqlite'));
    await appendCases(store, CASES, () => 'PT24H');
    const rules = loadSlaRules(policyFile);
    const connection = redisConnection(redis.url);
    const queue = new Queue<DeadlineJobData>(DEADLINE_QUEUE, { connection });
    const scheduler = new DeadlineScheduler(store, queue, rules, new DeadlineCheckpoint(new Database(join(dir, 'app.sqlite'))), systemClock);

    // 2. Scheduling rate, reconciler path (fold the whole store, add every pending deadline).
    //    Baseline: the same 2 × CASES job definitions added with raw BullMQ addBulk, on an empty Redis.
    const jobs = [];
    for (let i = 0; i < 2 * CASES; i++) {
      jobs.push(deadlineJob(`raw-${i >> 1}`, { deadlineId: `sign_for_${i & 1 ? 'overdue' : 'warning'}@1`, kind: 'sign_for_overdue', dueAt: new Date(Date.now() + 86_400_000).toISOString(), setAtRevision: 1, policyVersion: 'bench' }, Date.now()));
    }
    let began = process.hrtime.bigint();
    await scheduleDeadlines(queue, jobs);
    const rawBulkRate = jobs.length / seconds(began);
    await redis.flushAll();
    began = process.hrtime.bigint();
    const reconciled = await scheduler.reconcile();
    const reconcileRate = reconciled.deadlines / seconds(began);
    const pending = await queue.getDelayedCount();

    // 3. Scheduling rate, subscription path: one event at a time, as new cases arrive.
    //    Baseline: raw BullMQ addBulk of the same two jobs per dispatch, one call after another.
    const head = await store.headPosition();
    await appendCases(store, LIVE_CASES, () => 'PT24H');
    const live = await store.readAll({ after: head, limit: 2 * LIVE_CASES });
    began = process.hrtime.bigint();
    for (const event of live) await scheduler.handle(event);
    const liveRate = (2 * LIVE_CASES) / seconds(began);
    const rawQueue = new Queue('bench-raw', { connection });
    began = process.hrtime.bigint();
    for (let i = 0; i < LIVE_CASES; i++) await rawQueue.addBulk(jobs.slice(2 * i, 2 * i + 2));
    const rawLiveRate = (2 * LIVE_CASES) / seconds(began);
    await rawQueue.obliterate({ force: true });
    await store.close();

    // 4. Firing lateness with all those deadlines pending: FIRING_CASES new cases whose deadlines
    //    fall due over FIRING_SPREAD_MS, fired by the real worker (re-read, decide, append an event).
    //    Lateness = the recorded event's occurredAt − its dueAt.
    app = await NestFactory.createApplicationContext(WorkerAppModule.forRoot({ config: loadConfig(env) }), { logger: ['error', 'warn'] });
    await app.init();
    await app.get(DeadlinesService).ready;
    const appStore = app.get<EventStore>(EVENT_STORE);
    const before = await appStore.headPosition();
    const t0 = Date.now() + FIRING_START_MS;
    const spreadSeconds = (i: number) => ((t0 + (i / FIRING_CASES) * FIRING_SPREAD_MS - Date.now()) / 1000).toFixed(3);
    await appendCases(appStore, FIRING_CASES, (i) => `PT${spreadSeconds(i)}S`);
    const lateness: number[] = [];
    const deadline = Date.now() + FIRING_START_MS + FIRING_SPREAD_MS + 60_000;
    let after = before;
    while (lateness.length < 2 * FIRING_CASES && Date.now() < deadline) {
      const page = await appStore.readAll({ after, limit: 5000 });
      for (const e of page) {
        after = e.position;
        if (e.type === 'SignForWarned' || e.type === 'SignForOverdue') {
          lateness.push(Date.parse(e.metadata.occurredAt) - Date.parse(e.data.dueAt as string));
        }
      }
      if (page.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    await app.close();
    app = null;

    // Baseline: raw BullMQ delayed jobs on the same spread, a no-op processor noting when it starts.
    const rawLateness: number[] = [];
    const raw = new Queue('bench-raw-firing', { connection });
    const workerConnection = redisConnection(redis.url);
    const worker = new Worker('bench-raw-firing', async (job) => { rawLateness.push(Date.now() - (job.timestamp + (job.opts.delay ?? 0))); }, {
      connection: workerConnection, concurrency: 16,
    });
    const r0 = Date.now() + FIRING_START_MS;
    await raw.addBulk(Array.from({ length: 2 * FIRING_CASES }, (_, i) => {
      const due = r0 + (i / (2 * FIRING_CASES)) * FIRING_SPREAD_MS;
      return { name: 'raw', data: { due }, opts: { delay: due - Date.now(), removeOnComplete: true } };
    }));
    const rawDeadline = Date.now() + FIRING_START_MS + FIRING_SPREAD_MS + 60_000;
    while (rawLateness.length < 2 * FIRING_CASES && Date.now() < rawDeadline) await new Promise((r) => setTimeout(r, 100));
    await worker.close();
    await raw.close();
    await queue.close();
    await rawQueue.close();
    workerConnection.disconnect();
    connection.disconnect();

    lateness.sort((a, b) => a - b);
    rawLateness.sort((a, b) => a - b);
    const rawFiring = 'raw BullMQ delayed jobs, same Redis and spread, no-op processor (start − timestamp + delay)';
    const file = writeResult({
      name: 'deadlines',
      versions: { bullmq: require('bullmq/package.json').version, ioredis: require('ioredis/package.json').version },
      settings: {
        pendingDeadlines: pending, cases: CASES, liveCases: LIVE_CASES, firingDeadlines: 2 * FIRING_CASES,
        firingSpreadMs: FIRING_SPREAD_MS, workerConcurrency: 16, redis: 'local redis-server, noeviction, no persistence',
        eventStore: 'embedded SQLite (WAL, synchronous=FULL)',
      },
      figures: [
        figure({ figure: 'scheduling, reconciler (fold store + add every pending deadline)', unit: 'deadlines/s', value: round(reconcileRate, 0), baseline: 'raw BullMQ addBulk of the same number of delayed jobs, 1,000 per call', baselineValue: round(rawBulkRate, 0) }),
        figure({ figure: 'scheduling, subscription (per event: read stream, fold, add)', unit: 'deadlines/s', value: round(liveRate, 0), baseline: 'raw BullMQ addBulk of 2 jobs per call, sequential', baselineValue: round(rawLiveRate, 0) }),
        figure({ figure: `firing lateness p50 (${2 * FIRING_CASES} deadlines among ${pending} pending)`, unit: 'ms', value: percentile(lateness, 50), baseline: rawFiring, baselineValue: percentile(rawLateness, 50) }),
        figure({ figure: `firing lateness p99 (${2 * FIRING_CASES} deadlines among ${pending} pending)`, unit: 'ms', value: percentile(lateness, 99), baseline: rawFiring, baselineValue: percentile(rawLateness, 99) }),
        figure({ figure: 'deadlines fired (of those due)', unit: 'count', value: lateness.length, baselineValue: 2 * FIRING_CASES, baseline: 'due in the window' }),
      ],
      notes: [
        'Lateness of a fired deadline is measured to the moment its event is recorded (re-read the case, decide, append with fsync), so it includes the whole command path; the baseline only starts a no-op job.',
      ],
    });
    console.log(`wrote ${file}`);
    return file;
  } finally {
    await app?.close();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  run().then(() => process.exit(0), (error) => {
    console.error(error);
    process.exit(1);
  });
}
