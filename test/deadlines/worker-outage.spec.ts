import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { Job } from 'bullmq';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaseRepository, ExecuteCaseCommand } from '@civicloop/cases';
import { applyDeadlineFact, DeadlineFacts, initialDeadlineFacts, loadDefaultCalendar, pendingDeadlines, slaPolicyOf, slaTermsAtIntake } from '@civicloop/deadlines';
import { Directory } from '@civicloop/directory';
import { Actor, CaseCommand, DEADLINE_EVENT_TYPES } from '@civicloop/domain';
import { EVENT_STORE, EventStore, RecordedEvent, recordedAtOf } from '@civicloop/event-store';
import { loadConfig, ManualClock } from '@civicloop/platform';
import {
  ALL_PROJECTIONS, openReadDatabase, OrgLookup, queryBoard, queryCaseChain, queryEscalations, queryResponseTimes,
  querySatisfaction, queryThreeRates, ReadModels, rebuildProjections, viewSettings,
} from '@civicloop/read-models';
import { DeadlineJobData, DeadlineProcessor, DeadlinesService, loadSlaRules } from '@civicloop/consumers';
import { WorkerAppModule } from '../../apps/worker/src/worker-app.module';
import { RedisServer, startRedis } from '../support/redis-server';
import { actors, eventually } from './support/deadline-harness';

jest.setTimeout(180_000);

const START = '2026-03-02T01:00:00.000Z'; // Monday 09:00 in Shanghai
const HORIZON = '2026-03-27T10:00:00.000Z'; // past every sign-for, resolution, answer and rating limit of the script
const CASES = 24;
const calendar = loadDefaultCalendar();
const policy = slaPolicyOf(undefined, [calendar.id]);

interface Run {
  dir: string;
  clock: ManualClock;
  app: INestApplicationContext;
  env: Record<string, string>;
}

async function startWorkerApp(env: Record<string, string>, clock: ManualClock): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(WorkerAppModule.forRoot({ config: loadConfig(env), clock }), { logger: ['error'] });
  await app.init();
  await app.get(DeadlinesService).ready;
  return app;
}

async function startRun(redisUrl?: string): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'civicloop-outage-'));
  const env: Record<string, string> = { DATA_DIR: dir, NODE_ENV: 'test', DEADLINES_LOCK_MS: '1000', ...(redisUrl && { REDIS_URL: redisUrl }) };
  const clock = new ManualClock(new Date(START));
  return { dir, clock, env, app: await startWorkerApp(env, clock) };
}

/** The same handling in every run: intake, dispatch, some signed for, some resolved, some supervised; then nobody acts. */
async function script(run: Run): Promise<void> {
  const bus = run.app.get(CommandBus);
  let n = 0;
  const exec = (caseId: string, command: CaseCommand, actor: Actor = actors.operator) => {
    run.clock.advance(20_000);
    const id = `script-${++n}`;
    return bus.execute(new ExecuteCaseCommand(caseId, command, { actor, commandId: id, correlationId: id, causationId: id }));
  };
  for (let i = 0; i < CASES; i++) {
    const caseId = `outage-${String(i).padStart(2, '0')}`;
    const category = 'repair.water_leak';
    await exec(caseId, {
      type: 'ReceiveCase',
      data: {
        caseId, channel: 'hotline_12345', category, urgency: 'normal', requestType: 'complaint', description: '漏水',
        location: { compoundId: 'compound-01' }, reporter: { name: '王女士', phone: '13800138000' },
        sla: slaTermsAtIntake(undefined, [calendar.id], category, 'normal'),
      },
    });
    const street = i % 4 === 3;
    await exec(caseId, { type: 'DispatchCase', data: street ? { assigneeId: 'street-fuzimiao', tier: 'street' } : { assigneeId: 'grid-111', tier: 'grid' } });
    if (i % 4 === 0) await exec(caseId, { type: 'OrderSupervision', data: { supervisionId: `s-${i}`, reason: '催办' } }, actors.supervisor);
    if (i % 4 === 0) continue; // waits for sign-for: warned, overdue; the supervision order unanswered
    await exec(caseId, { type: 'AcceptCase', data: {} }, street ? actors.street : actors.grid);
    if (i % 4 === 2) await exec(caseId, { type: 'ResolveCase', data: { summary: '已修复', outcome: 'resolved' } }, actors.grid);
    // 1 and 3: resolution warned, overdue, escalated by the policy; the unit above never signs for it.
  }
}

async function pendingUpTo(store: EventStore, horizon: string) {
  const facts = new Map<string, DeadlineFacts>();
  for (const event of await store.readAll({ limit: 1_000_000 })) {
    if (!event.streamId.startsWith('case-')) continue;
    if (!facts.has(event.streamId)) facts.set(event.streamId, initialDeadlineFacts(event.streamId));
    applyDeadlineFact(facts.get(event.streamId)!, event);
  }
  return [...facts.values()]
    .flatMap((f) => pendingDeadlines(f, policy, calendar).map((d) => ({ caseId: f.caseId, d })))
    .filter(({ d }) => d.dueAt <= horizon)
    .sort((a, b) => a.d.dueAt.localeCompare(b.d.dueAt));
}

async function views(run: Run) {
  const store = run.app.get<EventStore>(EVENT_STORE);
  const rdb = openReadDatabase({ sqliteFile: join(run.dir, 'compare.sqlite') });
  const models = new ReadModels(rdb, store, new OrgLookup(run.app.get(Directory)), viewSettings());
  await models.ensureSchema();
  await rebuildProjections(rdb, store, ALL_PROJECTIONS, models.env);
  const month = { period: 'month' as const };
  const result = {
    board: (await queryBoard(models, { limit: 500, sort: 'receivedAt' }, HORIZON)).rows,
    threeRates: await Promise.all((['handler', 'street', 'community'] as const).map((groupBy) => queryThreeRates(models, { groupBy, month: '2026-03', now: HORIZON }))),
    responseTimes: await Promise.all((['handler', 'street', 'grid'] as const).map((groupBy) => queryResponseTimes(models, { groupBy, ...month }))),
    escalations: await Promise.all((['street', 'community'] as const).map((groupBy) => queryEscalations(models, { groupBy, ...month }))),
    satisfaction: await querySatisfaction(models, { groupBy: 'handler', ...month }),
    chains: await Promise.all(Array.from({ length: CASES }, (_, i) => queryCaseChain(models, `outage-${String(i).padStart(2, '0')}`))),
  };
  await rdb.close();
  return result;
}

/** Each case's events as business facts: type, data and business time, in business order. */
async function facts(run: Run) {
  const events = (await run.app.get<EventStore>(EVENT_STORE).readAll({ limit: 1_000_000 })).filter((e) => e.streamId.startsWith('case-'));
  return events.map((e) => ({ stream: e.streamId, type: e.type, data: e.data, occurredAt: e.metadata.occurredAt }))
    .sort((a, b) => a.stream.localeCompare(b.stream) || a.occurredAt.localeCompare(b.occurredAt) || a.type.localeCompare(b.type));
}

describe('a worker outage changes no figure', () => {
  let redis: RedisServer;
  const runs: Run[] = [];

  beforeAll(async () => { redis = await startRedis(); });
  afterAll(async () => {
    for (const run of runs) {
      await run.app.close().catch(() => undefined);
      rmSync(run.dir, { recursive: true, force: true });
    }
    await redis?.stop();
  });

  it('stopped worker, clock moved past every deadline, restarted: each deadline event at its dueAt, every view as without the outage', async () => {
    // Never stopped: each deadline recorded by the real processor at the very moment it falls due.
    const steady = await startRun();
    runs.push(steady);
    await script(steady);
    const processor = new DeadlineProcessor(steady.app.get(CaseRepository), steady.app.get(CommandBus), loadSlaRules(undefined), steady.clock);
    const steadyStore = steady.app.get<EventStore>(EVENT_STORE);
    let fired = 0;
    for (let next = (await pendingUpTo(steadyStore, HORIZON))[0]; next; next = (await pendingUpTo(steadyStore, HORIZON))[0]) {
      steady.clock.set(next.d.dueAt);
      const job = { data: { caseId: next.caseId, deadlineId: next.d.deadlineId, dueAt: next.d.dueAt } } as Job<DeadlineJobData>;
      expect(await processor.process(job)).toBe('recorded');
      fired++;
    }
    expect(fired).toBeGreaterThan(60);

    // The outage: the worker runs through the script (nothing falls due), stops, the clock moves 25 days, it starts again.
    const outage = await startRun(redis.url);
    runs.push(outage);
    await script(outage);
    await outage.app.close();
    outage.clock.set(HORIZON);
    // The jobs in Redis wait real milliseconds counted from the old manual time; after a real 25-day
    // outage they would all be due. Wiping Redis has the reconciler re-add every one, due now.
    await redis.client.flushall();
    outage.app = await startWorkerApp(outage.env, outage.clock);
    const outageStore = outage.app.get<EventStore>(EVENT_STORE);
    await eventually(async () => (await pendingUpTo(outageStore, HORIZON)).length === 0, 60_000, 200);

    const deadlineEvents = (await outageStore.readAll({ limit: 1_000_000 }))
      .filter((e: RecordedEvent) => (DEADLINE_EVENT_TYPES as readonly string[]).includes(e.type));
    expect(deadlineEvents.length).toBe((await steadyStore.readAll({ limit: 1_000_000 })).filter((e) => (DEADLINE_EVENT_TYPES as readonly string[]).includes(e.type)).length);
    for (const e of deadlineEvents) {
      expect(e.metadata.occurredAt).toBe(e.data.dueAt);
      expect(Date.parse(recordedAtOf(e.metadata))).toBeGreaterThanOrEqual(Date.parse(HORIZON));
    }
    // asOf cuts on recordedAt: just before the restart the system knew none of them, though they occurred earlier.
    const before = await outageStore.readStream('case-outage-01', { toTime: new Date(Date.parse(HORIZON) - 1).toISOString() });
    expect(before.filter((e) => (DEADLINE_EVENT_TYPES as readonly string[]).includes(e.type))).toEqual([]);
    expect((await outageStore.readStream('case-outage-01')).length).toBeGreaterThan(before.length);
    const kinds = new Set(deadlineEvents.map((e) => e.type));
    expect([...kinds].sort()).toEqual(['ResolutionOverdue', 'ResolutionWarned', 'SignForOverdue', 'SignForWarned', 'SupervisionAnswerOverdue']);

    expect(await facts(outage)).toEqual(await facts(steady));
    const [withOutage, without] = [await views(outage), await views(steady)];
    expect(withOutage.board.filter((r) => r.escalations > 0)).toHaveLength(12);
    expect(withOutage.board.filter((r) => r.status === 'closed')).toHaveLength(6);
    expect(withOutage).toEqual(without);
  });
});
