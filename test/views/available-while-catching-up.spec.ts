import { Logger } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Directory, DEMO_DIRECTORY_FILE } from '@civicloop/directory';
import { NewEvent, SqliteEventStore } from '@civicloop/event-store';
import { metricsRegistry } from '@civicloop/platform';
import {
  ALL_PROJECTIONS, boardProjection, CheckpointStore, openReadDatabase, OrgLookup, ProjectionRunner, ReadModels, rebuildProjections, viewSettings,
} from '@civicloop/read-models';
import { ApiProcess, startApiProcess } from '../support/api-process';
import { eventually } from '../deadlines/support/deadline-harness';

jest.setTimeout(90_000);

const ELSEWHERE = 'replica-elsewhere';

/** One case: its intake and `notes` notes, in one append (a log of `notes + 1` events in a blink). */
async function writeLog(file: string, notes: number): Promise<void> {
  const store = new SqliteEventStore(file);
  const streamId = 'case-long-1';
  const at = (i: number) => new Date(Date.parse('2026-03-02T01:00:00.000Z') + i * 60_000).toISOString();
  const event = (i: number, type: string, data: Record<string, unknown>): NewEvent => ({
    type, data,
    metadata: {
      eventId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, streamId, caseId: 'long-1', occurredAt: at(i),
      actor: { id: 'user-operator-1', role: 'operator', unitId: 'district-qinhuai' },
      commandId: `c${i}`, correlationId: `c${i}`, causationId: `c${i}`, schemaVersion: 1,
    },
  });
  await store.append(streamId, [
    event(0, 'CaseReceived', {
      caseId: 'long-1', channel: 'hotline_12345', category: 'repair.lift', urgency: 'normal', requestType: 'help', description: '电梯停运',
      compoundId: 'compound-01', building: null, unit: null, lat: null, long: null, reporterName: null, reporterPhone: null, anonymous: true,
    }),
    ...Array.from({ length: notes }, (_, i) => event(i + 1, 'CaseNoteAdded', { text: `第${i + 1}次回访` })),
  ], 'no_stream');
  await store.close();
}

describe('the service answers /health while its views are behind the log', () => {
  let dir: string;
  let api: ApiProcess | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'civicloop-catching-up-'));
  });
  afterEach(async () => {
    await api?.stop();
    api = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('200 degraded with the lag while another replica holds the projections; healthy once this one has caught up', async () => {
    await writeLog(join(dir, 'events.sqlite'), 1_499);
    // Another replica took every projection's lease and has applied nothing: the views are 1,500 events behind.
    const rdb = openReadDatabase({ sqliteFile: join(dir, 'read-models.sqlite') });
    const checkpoints = new CheckpointStore(rdb);
    for (const projection of ALL_PROJECTIONS) {
      await checkpoints.ensureProjection(projection);
      expect(await checkpoints.tryAcquire(projection.name, ELSEWHERE, 600_000)).toBe(true);
    }

    api = await startApiProcess({ DATA_DIR: dir, WORKER_IN_PROCESS: 'true', JWT_SECRET: 'catching-up-test-secret-0123456789abcdef' });
    const behind = await api.request('GET', '/health');
    expect(behind.status).toBe(200);
    expect(behind.body.info.projections).toMatchObject({ status: 'up', degraded: true, warning: expect.stringContaining('more than 1000 events behind') });
    expect(behind.body.info.projections.lags).toEqual(ALL_PROJECTIONS.map((p) => ({ name: p.name, position: null, lag: 1500, owner: ELSEWHERE }))
      .sort((a, b) => a.name.localeCompare(b.name)));

    // The other replica lets go: this one takes the leases (it retries every second) and catches up.
    for (const projection of ALL_PROJECTIONS) await checkpoints.release(projection.name, ELSEWHERE);
    await rdb.close();
    const caughtUp = await eventually(async () => {
      const health = await api!.request('GET', '/health');
      return health.body.info.projections.lags.every((l: { lag: number }) => l.lag === 0) && health;
    }, 60_000);
    expect(caughtUp.status).toBe(200);
    expect(caughtUp.body.info.projections).toMatchObject({ status: 'up', degraded: false });
    expect(caughtUp.body.info.projections.warning).toBeUndefined();
  });

  it('a runner catching up gives the event loop a turn between batches (timers fire before it has caught up)', async () => {
    const file = join(dir, 'events.sqlite');
    await writeLog(file, 2_999);
    Logger.overrideLogger(['warn', 'error']); // not a debug line per batch of 100
    const store = new SqliteEventStore(file);
    const rdb = openReadDatabase({ sqliteFile: join(dir, 'read-models.sqlite') });
    const models = new ReadModels(rdb, store, new OrgLookup(Directory.fromFile(DEMO_DIRECTORY_FILE)), viewSettings(), [boardProjection]);
    await models.ensureSchema();
    const runner = new ProjectionRunner(rdb, store, boardProjection, models.env, { owner: 'here', batchSize: 100 });
    try {
      // An embedded store answers synchronously: without turns, this timer would fire only after the whole catch-up.
      const lagWhenTimerFired = new Promise<number>((resolve) => setTimeout(() => void models.lags().then((l) => resolve(l[0].lag)), 0));
      runner.start();
      expect(await lagWhenTimerFired).toBeGreaterThan(0);
      await eventually(async () => (await models.lags())[0].lag === 0, 30_000);
    } finally {
      await runner.stop();
      await rdb.close();
      await store.close();
    }
  });

  it('a rebuild reports its progress in the /metrics gauges, and the views are then 0 events behind', async () => {
    const file = join(dir, 'events.sqlite');
    await writeLog(file, 1_199);
    const store = new SqliteEventStore(file);
    const rdb = openReadDatabase({ sqliteFile: join(dir, 'read-models.sqlite') });
    const models = new ReadModels(rdb, store, new OrgLookup(Directory.fromFile(DEMO_DIRECTORY_FILE)), viewSettings());
    try {
      await models.ensureSchema();
      const seen: number[] = [];
      await rebuildProjections(rdb, store, ALL_PROJECTIONS, models.env, { batchSize: 500, onProgress: (p) => seen.push(p.position) });
      expect(seen).toEqual([500, 1000, 1200]);
      const label = { projection: ALL_PROJECTIONS.map((p) => p.name).join('+') };
      const gauge = async (name: string) => (await metricsRegistry.getSingleMetric(name)!.get()).values.find((v) => v.labels.projection === label.projection)?.value;
      expect(await gauge('civicloop_projection_rebuild_position')).toBe(1200);
      expect(await gauge('civicloop_projection_rebuild_head')).toBe(1200);
      expect((await models.lags()).map((l) => l.lag)).toEqual([0, 0, 0]);
    } finally {
      await rdb.close();
      await store.close();
    }
  });
});
