import { join } from 'node:path';
import { slaTermsAtIntake, loadDefaultCalendar } from '@civicloop/deadlines';
import { Actor, CaseCommand } from '@civicloop/domain';
import { ExecuteCaseCommand } from '@civicloop/cases';
import { ALL_PROJECTIONS, queryThreeRates, threeRateRows } from '@civicloop/read-models';
import { Fixture, startReadSide, startWritePath } from './views-fixture';

const operator: Actor = { id: 'user-operator-1', role: 'operator', unitId: 'district-qinhuai' };
const handler = (unitId: string): Actor => ({ id: `user-${unitId}`, role: 'handler', unitId });
const calendar = loadDefaultCalendar();

/**
 * The month in progress (2026-11-29, a Sunday; the last working day before it is Friday the 27th):
 * a dispatch whose sign-for limit has not passed is pending, not a failure.
 */
describe('three rates of the month in progress', () => {
  let f: Fixture;
  let side: Awaited<ReturnType<typeof startReadSide>>;
  let n = 0;

  const run = (caseId: string, command: CaseCommand, actor: Actor = operator) => {
    const id = `c-${++n}`;
    return f.bus.execute(new ExecuteCaseCommand(caseId, command, { actor, commandId: id, correlationId: id, causationId: id }));
  };
  const dispatch = async (caseId: string, compoundId: string, assigneeId: string, tier: 'grid' | 'community' | 'street') => {
    await run(caseId, {
      type: 'ReceiveCase',
      data: {
        caseId, channel: 'hotline_12345', category: 'repair.water_leak', urgency: 'normal', requestType: 'complaint', description: '漏水',
        location: { compoundId }, reporter: { name: '李先生', phone: '13900139000' },
        sla: slaTermsAtIntake(undefined, [calendar.id], 'repair.water_leak', 'normal'),
      },
    });
    await run(caseId, { type: 'DispatchCase', data: { assigneeId, tier } });
  };

  beforeAll(async () => {
    f = await startWritePath('2026-11-02T01:00:00.000Z');
    side = await startReadSide(f, { sqliteFile: join(f.dir, 'read.sqlite'), owner: 'month' });
    side.runners.forEach((r) => r.start());
    // grid-111: three dispatches early in the month, two signed for in time, one never (its limit long passed).
    for (const i of [1, 2, 3]) {
      await dispatch(`a-${i}`, 'compound-01', 'grid-111', 'grid');
      f.clock.advance(10 * 60_000);
      if (i < 3) await run(`a-${i}`, { type: 'AcceptCase', data: {} }, handler('grid-111'));
    }
    // Friday 2026-11-27 17:30 local: dispatched to street-fuzimiao with 2 working hours to sign, due Monday 10:30.
    f.clock.set('2026-11-27T09:30:00.000Z');
    await dispatch('b-1', 'compound-01', 'street-fuzimiao', 'street');
    await dispatch('b-2', 'compound-01', 'street-fuzimiao', 'street');
    await run('b-2', { type: 'AcceptCase', data: {} }, handler('street-fuzimiao'));
    f.clock.set('2026-11-29T04:00:00.000Z');
    await side.models.waitFor(Number(await f.store.headPosition()), ALL_PROJECTIONS.map((p) => p.name), 20_000);
  });

  afterAll(async () => {
    await Promise.all(side.runners.map((r) => r.stop()));
    await side.rdb.close();
    await f.close();
  });

  it('counts a dispatch once signed for or past its limit; the rest is pending', async () => {
    const now = f.clock.now().toISOString();
    const rows = await queryThreeRates(side.models, { groupBy: 'handler', month: '2026-11', now });
    expect(rows.find((r) => r.key === 'street-fuzimiao')).toMatchObject({
      dispatches: 2, pending: 1, counted: 1, signedInTime: 1, responseRate: 1, score: 100, rank: 1,
    });
    expect(rows.find((r) => r.key === 'grid-111')).toMatchObject({
      dispatches: 3, pending: 0, counted: 3, signedInTime: 2, responseRate: 0.6667, score: 66.67, rank: 2,
    });
    // Monday after 10:30 local the street's waiting dispatch has failed its limit.
    const monday = await queryThreeRates(side.models, { groupBy: 'handler', month: '2026-11', now: '2026-11-30T02:31:00.000Z' });
    expect(monday.find((r) => r.key === 'street-fuzimiao')).toMatchObject({ pending: 0, counted: 2, responseRate: 0.5 });
  });

  it('attributes area groupings by location or by the assignee unit', async () => {
    const now = f.clock.now().toISOString();
    const byLocation = await queryThreeRates(side.models, { groupBy: 'street', month: '2026-11', now, attribution: 'location' });
    const byAssignee = await queryThreeRates(side.models, { groupBy: 'street', month: '2026-11', now, attribution: 'assignee' });
    // compound-01 lies in street-fuzimiao; so do grid-111 and the street itself.
    expect(byLocation.map((r) => [r.key, r.dispatches, r.pending])).toEqual([['street-fuzimiao', 5, 1]]);
    expect(byAssignee.map((r) => [r.key, r.dispatches, r.pending])).toEqual([['street-fuzimiao', 5, 1]]);
    const communities = await queryThreeRates(side.models, { groupBy: 'community', month: '2026-11', now, attribution: 'assignee' });
    // The street is in no community: only grid-111's dispatches have one under attribution=assignee.
    expect(communities.map((r) => r.dispatches)).toEqual([3]);
    const locationCommunities = await queryThreeRates(side.models, { groupBy: 'community', month: '2026-11', now });
    expect(locationCommunities.map((r) => r.dispatches)).toEqual([5]);
  });
});

describe('scores and ranks from exact rates', () => {
  const settings = { weights: { response: 30, resolution: 35, satisfaction: 35 }, basicallySatisfiedWeight: 0.8 };
  const none = { dispatches: 0, pending: 0, approvedReturns: 0, signed: 0 };

  it('equal exact scores share a rank though their rounded rates differ', () => {
    // a: 2/3 signed, no ratings → 66.666…; b: all signed, 11/21 solved and satisfied → 30 + 35 × 22/21 = 66.666…
    const rows = threeRateRows(['a', 'b', 'c'], (k) => ({ a: { ...none, dispatches: 3, signed: 2 }, b: { ...none, dispatches: 1, signed: 1 }, c: { ...none, dispatches: 4, signed: 1 } })[k],
      (k) => (k === 'b' ? { rated: 21, solved: 11, satisfied: 11, basically: 0 } : undefined), settings);
    expect(rows.map((r) => [r.key, r.score, r.rank])).toEqual([['a', 66.67, 1], ['b', 66.67, 1], ['c', 25, 3]]);
  });

  it('scores from unrounded rates: 5/6 response is 83.33, not 83.34 from 0.8333 rounded up anywhere', () => {
    const [row] = threeRateRows(['x'], () => ({ ...none, dispatches: 6, signed: 5 }), () => undefined, settings);
    expect(row).toMatchObject({ responseRate: 0.8333, score: 83.33 });
    const [approved] = threeRateRows(['y'], () => ({ dispatches: 4, pending: 1, approvedReturns: 1, signed: 2 }), () => undefined, settings);
    expect(approved).toMatchObject({ counted: 2, responseRate: 1, score: 100 });
  });
});
