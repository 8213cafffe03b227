import { RecordedEvent } from '@civicloop/event-store';
import { startRedis, RedisServer } from '../support/redis-server';
import { actors, DeadlineHarness, eventually, sleep, workerEnvironment } from './support/deadline-harness';

/** Seconds between the event that set a deadline and the event that records it. */
const secondsAfter = (events: RecordedEvent[], type: string, anchor: RecordedEvent) => {
  const event = events.find((e) => e.type === type)!;
  return (Date.parse(event.metadata.occurredAt) - Date.parse(anchor.metadata.occurredAt)) / 1000;
};
const ofType = (events: RecordedEvent[], type: string) => events.filter((e) => e.type === type);

describe('deadlines fire on a real Redis (policy of seconds: sign-for 4 s, warn at 50 %, resolve 3 s, whistle report 2 s, rating 2 s)', () => {
  let redis: RedisServer;
  let environment: ReturnType<typeof workerEnvironment>;
  let harness: DeadlineHarness;
  const cases: Record<string, string> = {};

  beforeAll(async () => {
    redis = await startRedis();
    environment = workerEnvironment(redis.url);
    harness = await DeadlineHarness.start(environment.env);
    // Every scenario starts at once, so the whole file waits for its deadlines only once.
    cases.unsigned = await harness.dispatchedCase();
    cases.signedInTime = await harness.dispatchedCase();
    await harness.run(cases.signedInTime, { type: 'AcceptCase', data: {} }, actors.grid);
    cases.unresolved = await harness.dispatchedCase();
    await harness.run(cases.unresolved, { type: 'AcceptCase', data: {} }, actors.grid);
    cases.whistled = await harness.dispatchedCase('street-fuzimiao', 'street');
    await harness.run(cases.whistled, { type: 'AcceptCase', data: {} }, actors.street);
    await harness.run(cases.whistled, { type: 'BlowWhistle', data: { whistleId: 'w-1', departmentIds: ['dept-urban', 'dept-fire'], reason: '占道' } }, actors.street);
    await harness.run(cases.whistled, { type: 'ReportDepartment', data: { whistleId: 'w-1', departmentId: 'dept-urban' } }, actors.urban);
    cases.unrated = await harness.dispatchedCase();
    await harness.run(cases.unrated, { type: 'AcceptCase', data: {} }, actors.grid);
    await harness.run(cases.unrated, { type: 'ResolveCase', data: { summary: '已修复', outcome: 'resolved' } }, actors.grid);
  });

  afterAll(async () => {
    await harness?.close();
    await redis?.stop();
    environment?.cleanup();
  });

  it('warns and then marks a case not signed for in time overdue, each within ±1 s of its time', async () => {
    const events = await eventually(async () => {
      const all = await harness.events(cases.unsigned);
      return all.some((e) => e.type === 'SignForOverdue') && all;
    });
    const dispatched = events.find((e) => e.type === 'CaseDispatched')!;
    expect(Math.abs(secondsAfter(events, 'SignForWarned', dispatched) - 2)).toBeLessThanOrEqual(1);
    expect(Math.abs(secondsAfter(events, 'SignForOverdue', dispatched) - 4)).toBeLessThanOrEqual(1);
    expect(ofType(events, 'SignForWarned')).toHaveLength(1);
    expect(ofType(events, 'SignForOverdue')[0].metadata).toMatchObject({
      actor: { id: 'system:deadlines' }, causationId: dispatched.metadata.eventId, correlationId: dispatched.metadata.correlationId,
    });
  });

  it('escalates a grid case whose resolution is overdue to the community, as the policy names', async () => {
    const events = await eventually(async () => {
      const all = await harness.events(cases.unresolved);
      return all.some((e) => e.type === 'CaseEscalated') && all;
    });
    const accepted = events.find((e) => e.type === 'CaseAccepted')!;
    expect(Math.abs(secondsAfter(events, 'ResolutionOverdue', accepted) - 3)).toBeLessThanOrEqual(1);
    expect(ofType(events, 'CaseEscalated')[0].data).toMatchObject({ fromTier: 'grid', toTier: 'community', toAssigneeId: 'community-11' });
  });

  it('marks exactly one report overdue for a whistle to two departments: the one that did not report', async () => {
    const events = await eventually(async () => {
      const all = await harness.events(cases.whistled);
      return all.some((e) => e.type === 'WhistleReportOverdue') && all;
    });
    await sleep(1000);
    const overdue = ofType(await harness.events(cases.whistled), 'WhistleReportOverdue');
    expect(overdue.map((e) => e.data.departmentId)).toEqual(['dept-fire']);
    const blown = events.find((e) => e.type === 'WhistleBlown')!;
    expect(Math.abs(secondsAfter(events, 'WhistleReportOverdue', blown) - 2)).toBeLessThanOrEqual(1);
  });

  it('closes a resolved case nobody rated when the rating window expires', async () => {
    const events = await eventually(async () => {
      const all = await harness.events(cases.unrated);
      return all.some((e) => e.type === 'CaseClosed') && all;
    });
    expect(ofType(events, 'CaseClosed')[0].data).toMatchObject({ kind: 'rating_window_expired' });
  });

  it('gives a case accepted before its sign-for deadline no overdue event', async () => {
    // The unsigned case above proves the sign-for deadline has passed for cases dispatched with it.
    await eventually(async () => (await harness.events(cases.unsigned)).some((e) => e.type === 'SignForOverdue'));
    await sleep(500);
    const events = await harness.events(cases.signedInTime);
    const dispatch = events.find((e) => e.type === 'CaseDispatched')!;
    // Later its resolution runs out and it is escalated: the community's sign-for deadlines are new ones.
    const setByDispatch = events.filter((e) => String(e.data.deadlineId ?? '').endsWith(`@${dispatch.revision}`));
    expect(setByDispatch.map((e) => e.type)).toEqual([]);
    expect(events.map((e) => e.type).slice(0, 3)).toEqual(['CaseReceived', 'CaseDispatched', 'CaseAccepted']);
  });
});
