import { join } from 'node:path';
import { ALL_PROJECTIONS, hashProjection, queryBoard, queryCaseChain, queryEscalations, queryResponseTimes, querySatisfaction, queryThreeRates, rebuildProjection, ReadModels } from '@civicloop/read-models';
import { businessMillisBetween, loadDefaultCalendar } from '@civicloop/deadlines';
import { PostgresServer, startPostgres } from '../support/postgres-server';
import { foldHistory, Folded, testSla } from './expected';
import { expectBoard, expectChain, expectEscalations, expectResponseTimes, expectSatisfaction, expectThreeRates } from './expected-views';
import { writeHistory } from './history';
import { Fixture, startReadSide, startWritePath } from './views-fixture';

jest.setTimeout(240_000);

const PERIODS = ['day', 'week', 'month'] as const;
const memo = (fn: (a: string, b: string) => number) => {
  const cache = new Map<string, number>();
  return (a: string, b: string) => cache.get(`${a}/${b}`) ?? cache.set(`${a}/${b}`, fn(a, b)).get(`${a}/${b}`)!;
};
const NAMES = ALL_PROJECTIONS.map((p) => p.name);

describe('views against an independent fold of a generated history (SQLite and PostgreSQL)', () => {
  let f: Fixture;
  let pg: PostgresServer;
  let sides: { label: string; side: Awaited<ReturnType<typeof startReadSide>> }[];
  let folded: Folded;
  let now: string;
  const incremental: Record<string, string[]> = {};

  beforeAll(async () => {
    [f, pg] = await Promise.all([startWritePath(), startPostgres()]);
    sides = [
      { label: 'sqlite', side: await startReadSide(f, { sqliteFile: join(f.dir, 'read.sqlite'), owner: 'replica-sqlite' }) },
      { label: 'postgres', side: await startReadSide(f, { databaseUrl: await pg.createDatabase('views'), owner: 'replica-pg' }) },
    ];
    for (const { side } of sides) side.runners.forEach((r) => r.start());
    const result = await writeHistory(f.bus, f.cases, f.directory, f.clock, { seed: 20261122, cases: 300, concurrent: 24 });
    expect(result.commands).toBeGreaterThan(2000);
    const head = Number(await f.store.headPosition());
    for (const { side } of sides) await side.models.waitFor(head, NAMES, 60_000);
    const events = await f.store.readAll({ limit: 1_000_000 });
    const s = f.settings;
    const calendar = loadDefaultCalendar();
    folded = foldHistory(events, f.directory, {
      zone: s.timeZone, w: s.basicallySatisfiedWeight, weights: [s.threeRateWeights.response, s.threeRateWeights.resolution, s.threeRateWeights.satisfaction],
      business: memo(businessMillisBetween.bind(null, calendar)),
      ...testSla(calendar),
    });
    now = f.clock.now().toISOString();
    for (const { label, side } of sides) incremental[label] = await Promise.all(ALL_PROJECTIONS.map((p) => hashProjection(side.rdb, p)));
  });

  afterAll(async () => {
    for (const { side } of sides ?? []) {
      await Promise.all(side.runners.map((r) => r.stop()));
      await side.rdb.close();
    }
    await Promise.all([f?.close(), pg?.stop()]);
  });

  it('the generated history goes through every path', () => {
    const cases = [...folded.cases.values()];
    expect(cases.length).toBe(300);
    expect(cases.filter((k) => k.returns > 0).length).toBeGreaterThan(10);
    expect(cases.filter((k) => k.escalations > 1).length).toBeGreaterThan(5);
    expect(cases.filter((k) => k.whistles > 0).length).toBeGreaterThan(3);
    expect(cases.filter((k) => k.reworks > 0).length).toBeGreaterThan(5);
    expect(cases.filter((k) => k.supervisions > 0).length).toBeGreaterThan(10);
    expect(folded.ratings.length).toBeGreaterThan(150);
    expect(folded.overdueEvents).toBeGreaterThan(10);
    expect(new Set(folded.dispatches.map((d) => d.month)).size).toBeGreaterThan(1);
  });

  const each = (name: string, check: (models: ReadModels) => Promise<void>) => {
    it.each(['sqlite', 'postgres'])(`${name} (%s)`, async (label) => check(sides.find((s) => s.label === label)!.side.models));
  };

  each('board: every row, paged with a cursor, in order', async (models) => {
    const expected = expectBoard(folded, now).sort((a, b) => b.receivedAt.localeCompare(a.receivedAt) || b.id.localeCompare(a.id));
    // The history reaches both: a late sign-for at an earlier holder only in everOverdue; no resolveDueAt outside 'accepted'.
    expect(expected.filter((r) => r.everOverdue.signFor && !r.overdue.signFor).length).toBeGreaterThan(0);
    expect(expected.filter((r) => r.status !== 'accepted' && r.resolveDueAt !== null)).toEqual([]);
    const seen = [];
    let cursor: string | undefined;
    do {
      const page = await queryBoard(models, { sort: '-receivedAt', limit: 37, cursor }, now);
      seen.push(...page.rows);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(expected);
  });

  each('board: filters', async (models) => {
    const all = expectBoard(folded, now);
    const ids = async (filter: Parameters<typeof queryBoard>[1]) => (await queryBoard(models, { ...filter, sort: 'receivedAt', limit: 500 }, now)).rows.map((r) => r.id).sort();
    const want = (keep: (r: (typeof all)[number]) => boolean) => all.filter(keep).map((r) => r.id).sort();
    expect(await ids({ status: ['accepted', 'dispatched'] })).toEqual(want((r) => ['accepted', 'dispatched'].includes(r.status)));
    expect(await ids({ areaId: 'street-fuzimiao' })).toEqual(want((r) => r.streetId === 'street-fuzimiao'));
    expect(await ids({ areaId: 'community-12', urgency: ['critical'] })).toEqual(want((r) => r.communityId === 'community-12' && r.urgency === 'critical'));
    expect(await ids({ overdue: true })).toEqual(want((r) => r.overdue.signFor || r.overdue.resolve));
    expect(await ids({ overdue: false, channel: ['online'] })).toEqual(want((r) => !(r.overdue.signFor || r.overdue.resolve) && r.channel === 'online'));
    expect(await ids({ text: 'leak' })).toEqual(want((r) => folded.cases.get(r.id).description.toLowerCase().includes('leak')));
    expect(await ids({ receivedFrom: '2026-02-01T00:00:00.000Z', receivedTo: '2026-02-10T00:00:00.000Z' }))
      .toEqual(want((r) => r.receivedAt >= '2026-02-01T00:00:00.000Z' && r.receivedAt < '2026-02-10T00:00:00.000Z'));
    const scope = { unitIds: models.org.subtree('community-21') };
    expect((await queryBoard(models, { limit: 500 }, now, scope)).rows.map((r) => r.id).sort())
      .toEqual(want((r) => scope.unitIds.includes(r.compoundId) || scope.unitIds.includes(r.assigneeId ?? '')));
  });

  each('satisfaction by every grouping and period', async (models) => {
    for (const groupBy of ['handler', 'street', 'community', 'grid', 'department', 'category'] as const) {
      for (const period of PERIODS) expect(await querySatisfaction(models, { groupBy, period })).toEqual(expectSatisfaction(folded, groupBy, period));
    }
  });

  each('three rates and ranking for every month', async (models) => {
    const months = [...new Set(folded.dispatches.map((d) => d.month))];
    for (const month of months) {
      for (const groupBy of ['handler', 'street', 'community'] as const) {
        for (const attribution of ['location', 'assignee'] as const) {
          expect(await queryThreeRates(models, { groupBy, month, now, attribution })).toEqual(expectThreeRates(folded, groupBy, month, now, attribution));
        }
      }
    }
  });

  each('response times by every grouping and period', async (models) => {
    for (const groupBy of ['handler', 'street', 'community', 'grid', 'department', 'category'] as const) {
      for (const period of PERIODS) expect(await queryResponseTimes(models, { groupBy, period })).toEqual(expectResponseTimes(folded, groupBy, period));
    }
  });

  each('escalations by street and community', async (models) => {
    for (const groupBy of ['street', 'community'] as const) {
      for (const period of PERIODS) expect(await queryEscalations(models, { groupBy, period })).toEqual(expectEscalations(folded, groupBy, period));
    }
  });

  each('the chain of every case', async (models) => {
    for (const caseId of folded.cases.keys()) expect(await queryCaseChain(models, caseId)).toEqual(expectChain(folded, caseId));
  });

  it('SQLite and PostgreSQL hold the same rows', () => {
    expect(incremental.postgres).toEqual(incremental.sqlite);
  });

  it.each(['sqlite', 'postgres'])('a rebuild from zero gives the same tables as the incremental run (%s)', async (label) => {
    const { side } = sides.find((s) => s.label === label)!;
    const rebuilt: string[] = [];
    for (const projection of ALL_PROJECTIONS) {
      await rebuildProjection(side.rdb, f.store, projection, side.models.env);
      rebuilt.push(await hashProjection(side.rdb, projection));
    }
    expect(rebuilt).toEqual(incremental[label]);
    expect((await side.models.checkpoints.readAll()).every((s) => s.generation === 2)).toBe(true);
  });
});
