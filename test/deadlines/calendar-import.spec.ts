import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_STORE, EventStore } from '@civicloop/event-store';
import { checkCalendar, importCalendarYear } from '../../apps/api/src/cli/calendar';
import { ApiHarness, startApi } from '../support/api-harness';
import { RedisServer, startRedis } from '../support/redis-server';
import { eventually } from './support/deadline-harness';

/**
 * 2027 ships provisional (statutory days only). A case accepted on Monday 2026-12-28 09:00 has its
 * 7-working-day resolution limit counted into 2027: flagged, and on a statutory working day.
 * Importing an official 2027 with a make-up Saturday (2027-01-02) moves it and records the move.
 */
describe('calendar years imported into the event store', () => {
  let redis: RedisServer;
  let api: ApiHarness;
  let store: EventStore;
  const lines: string[] = [];
  const io = { out: (line: string) => lines.push(line), err: (line: string) => lines.push(line) };

  beforeAll(async () => {
    redis = await startRedis();
    api = await startApi({ WORKER_IN_PROCESS: 'true', REDIS_URL: redis.url });
    store = api.app.get<EventStore>(EVENT_STORE);
  });

  afterAll(async () => {
    await api?.close();
    await redis?.stop();
  });

  it('flags the provisional deadline, reports coverage, and reschedules on import', async () => {
    api.clock.set('2026-12-28T01:00:00.000Z');
    const operator = api.token('operator');
    const intake = await api.request('POST', '/cases', {
      token: operator,
      body: {
        channel: 'hotline_12345', category: 'repair.water_leak', urgency: 'normal', requestType: 'complaint',
        description: '楼顶漏水', location: { compoundId: 'compound-01' }, reporter: { name: '王女士', phone: '13800138000' },
      },
    });
    const id = intake.body.id;
    expect((await api.request('POST', `/cases/${id}/dispatch`, { token: operator, body: { assigneeId: 'company-jinling', tier: 'grid' } })).status).toBe(200);
    expect((await api.request('POST', `/cases/${id}/accept`, { token: api.token('handler', 'company-jinling'), body: {} })).status).toBe(200);

    const before = (await api.request('GET', `/cases/${id}`, { token: operator })).body.sla;
    expect(before.provisional).toBe(true);
    // 12-28..31, New Year's Day off, 01-04..06: 2027-01-06 18:00 local.
    expect(before.pendingDeadlines.find((d: { kind: string }) => d.kind === 'resolution_overdue'))
      .toMatchObject({ dueAt: '2027-01-06T10:00:00.000Z', provisional: true });

    const health = await api.request('GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body.info.calendar).toMatchObject({
      status: 'up', degraded: true, officialUntil: '2026-12-31', firstUncoveredDate: '2027-01-01',
      years: [expect.objectContaining({ year: 2026, status: 'official' }), expect.objectContaining({ year: 2027, status: 'provisional' })],
    });
    expect(health.body.info.calendar.warning).toContain('2027-01-01');
    expect(await checkCalendar(store, api.clock, io)).toBe(1);

    const file = join(api.dataDir, 'cn-mainland-2027-official.json');
    writeFileSync(file, JSON.stringify({
      calendar: 'cn-mainland', year: 2027, status: 'official', source: 'test arrangement: 01-01 off, Saturday 01-02 worked',
      holidays: ['2027-01-01'], makeUpWorkdays: ['2027-01-02'],
    }));
    expect(await importCalendarYear(store, api.clock, file, io)).toBe(0);
    const imported = (await store.readStream('calendar-2027'))[0];
    expect(imported).toMatchObject({ type: 'CalendarYearImported', data: { year: 2027, status: 'official' } });
    const version = String(imported.data.version);

    const moved = await eventually(async () => {
      const events = await store.readStream(`case-${id}`);
      const rescheduled = events.filter((e) => e.type === 'DeadlineRescheduled');
      return rescheduled.length === 2 && rescheduled;
    }, 20_000);
    expect(moved.map((e) => e.data)).toEqual(expect.arrayContaining([expect.objectContaining({
      deadlineId: 'resolution_overdue@2', kind: 'resolution_overdue', previousDueAt: '2027-01-06T10:00:00.000Z',
      dueAt: '2027-01-05T10:00:00.000Z', calendarVersion: version, provisional: false,
    })]));

    const after = await eventually(async () => {
      const sla = (await api.request('GET', `/cases/${id}`, { token: operator })).body.sla;
      return sla.provisional === false && sla;
    });
    expect(after.pendingDeadlines.find((d: { kind: string }) => d.kind === 'resolution_overdue')).toEqual(expect.objectContaining({ dueAt: '2027-01-05T10:00:00.000Z' }));
    expect(await checkCalendar(store, api.clock, io)).toBe(0);
    const healthAfter = await eventually(async () => {
      const body = (await api.request('GET', '/health')).body;
      return body.info.calendar.degraded === false && body;
    });
    expect(healthAfter.info.calendar).toMatchObject({ officialUntil: '2027-12-31', firstUncoveredDate: '2028-01-01' });

    // The same year again records nothing, and moves nothing.
    expect(await importCalendarYear(store, api.clock, file, io)).toBe(0);
    expect(lines[lines.length - 1]).toContain('already in force');
    expect(await store.readStream('calendar-2027')).toHaveLength(1);
  });

  it('refuses a bad year file naming the problem, and records nothing', async () => {
    const file = join(api.dataDir, 'bad.json');
    writeFileSync(file, JSON.stringify({ calendar: 'cn-mainland', year: 2028, status: 'official', source: 's', holidays: ['2028-02-30'], makeUpWorkdays: [] }));
    lines.length = 0;
    expect(await importCalendarYear(store, api.clock, file, io)).toBe(2);
    expect(lines.join('\n')).toContain('holidays[0]: must be a date YYYY-MM-DD');
    expect(await store.readStream('calendar-2028')).toHaveLength(0);
  });
});
