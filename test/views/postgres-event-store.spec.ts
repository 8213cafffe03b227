import { join } from 'node:path';
import { PostgresEventStore, RecordedEvent, storedEventsOf } from '@civicloop/event-store';
import { businessMillisBetween, loadDefaultCalendar } from '@civicloop/deadlines';
import {
  ALL_PROJECTIONS, EnvelopePage, hashProjection, queryBoard, queryCaseChain, queryThreeRates, readLeanPages, readThroughPort, rebuildProjection, rebuildProjections,
} from '@civicloop/read-models';
import { PostgresServer, startPostgres } from '../support/postgres-server';
import { foldHistory, Folded, testSla } from './expected';
import { expectBoard, expectChain, expectThreeRates } from './expected-views';
import { writeHistory } from './history';
import { Fixture, startReadSide, startWritePath } from './views-fixture';

jest.setTimeout(180_000);

const NAMES = ALL_PROJECTIONS.map((p) => p.name);

/**
 * The views suite once on the PostgreSQL event store: 24 commands at a time through the real write
 * path (so appends commit out of position order), projected live into a PostgreSQL read database
 * on the SAME server (its writes share the visibility horizon with the appends) and into SQLite.
 */
describe('views on the PostgreSQL event store (read models in PostgreSQL on the same server, and in SQLite)', () => {
  let f: Fixture;
  let pg: PostgresServer;
  let sides: { label: string; side: Awaited<ReturnType<typeof startReadSide>> }[];
  let folded: Folded;
  let now: string;
  const incremental: Record<string, string[]> = {};
  const sideOf = (label: string) => {
    const found = sides.find((s) => s.label === label);
    if (!found) throw new Error(`no ${label} read side`);
    return found.side;
  };

  beforeAll(async () => {
    pg = await startPostgres();
    f = await startWritePath(undefined, { EVENTSTORE_CONNECTION_STRING: await pg.createDatabase('events') });
    sides = [
      { label: 'sqlite', side: await startReadSide(f, { sqliteFile: join(f.dir, 'read.sqlite'), owner: 'replica-sqlite' }) },
      { label: 'postgres', side: await startReadSide(f, { databaseUrl: await pg.createDatabase('views'), owner: 'replica-pg' }) },
    ];
    for (const { side } of sides) side.runners.forEach((r) => r.start());
    const result = await writeHistory(f.bus, f.cases, f.directory, f.clock, { seed: 20261129, cases: 120, concurrent: 24 });
    expect(result.commands).toBeGreaterThan(800);
    const head = Number(await f.store.headPosition());
    for (const { side } of sides) await side.models.waitFor(head, NAMES, 60_000);
    const events: RecordedEvent[] = [];
    for (let page = await f.store.readAll({ limit: 1000 }); page.length; page = await f.store.readAll({ after: events[events.length - 1].position, limit: 1000 })) {
      events.push(...page);
    }
    const s = f.settings;
    const calendar = loadDefaultCalendar();
    folded = foldHistory(events, f.directory, {
      zone: s.timeZone, w: s.basicallySatisfiedWeight, weights: [s.threeRateWeights.response, s.threeRateWeights.resolution, s.threeRateWeights.satisfaction],
      business: businessMillisBetween.bind(null, calendar),
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
    await f?.close();
    await pg?.stop();
  });

  it('the write path used the PostgreSQL store', () => {
    expect(storedEventsOf(f.store)).toBeInstanceOf(PostgresEventStore);
    expect(folded.cases.size).toBe(120);
  });

  it.each(['sqlite', 'postgres'])('board, chains and three rates equal an independent fold of the history (%s read models)', async (label) => {
    const { models } = sideOf(label);
    const expected = expectBoard(folded, now).sort((a, b) => b.receivedAt.localeCompare(a.receivedAt) || b.id.localeCompare(a.id));
    expect((await queryBoard(models, { sort: '-receivedAt', limit: 500 }, now)).rows).toEqual(expected);
    for (const caseId of folded.cases.keys()) expect(await queryCaseChain(models, caseId)).toEqual(expectChain(folded, caseId));
    for (const month of new Set(folded.dispatches.map((d) => d.month))) {
      expect(await queryThreeRates(models, { groupBy: 'street', month, now })).toEqual(expectThreeRates(folded, 'street', month, now));
    }
  });

  it('both read sides hold the same rows, and a rebuild from the PostgreSQL store gives them again', async () => {
    expect(incremental.postgres).toEqual(incremental.sqlite);
    const side = sideOf('postgres');
    const rebuilt: string[] = [];
    for (const projection of ALL_PROJECTIONS) {
      await rebuildProjection(side.rdb, f.store, projection, side.models.env);
      rebuilt.push(await hashProjection(side.rdb, projection));
    }
    expect(rebuilt).toEqual(incremental.postgres);
    // All at once with cases falling out of memory and coming back: flushes written while later pages fold.
    await rebuildProjections(side.rdb, f.store, ALL_PROJECTIONS, side.models.env, { cachedCases: 4, batchSize: 61 });
    expect(await Promise.all(ALL_PROJECTIONS.map((p) => hashProjection(side.rdb, p)))).toEqual(incremental.postgres);
  });

  it('the PostgreSQL store\'s lean reads give the pages readAll gives', async () => {
    const stored = storedEventsOf(f.store);
    const lean: EnvelopePage[] = [];
    for await (const page of readLeanPages(stored, 97)) lean.push(page);
    const throughPort: EnvelopePage[] = [];
    for await (const page of readThroughPort(stored, 97)) throughPort.push(page);
    // Both paths build the same envelope literal; what a projection reads must be equal.
    const read = (pages: EnvelopePage[]) => pages.map((p) => ({
      ...p, envelopes: p.envelopes.map(({ type, data, caseId, at, position, actorUnitId }) => ({ type, data, caseId, at, position, actorUnitId })),
    }));
    expect(read(lean)).toEqual(read(throughPort));
    expect(lean.reduce((n, p) => n + p.envelopes.length, 0)).toBeGreaterThan(800);
  });
});
