import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { Directory, DEMO_DIRECTORY_FILE } from '@civicloop/directory';
import { SqliteEventStore } from '@civicloop/event-store';
import {
  ALL_PROJECTIONS, CaseEventEnvelope, CheckpointStore, finishRebuild, foldIntoGenerations, hashProjection, openReadDatabase, OrgLookup,
  prepareRebuild, ProjectionRunner, ReadDatabase, ReadModels, readLeanPages, readThroughPort, rebuildProjections, viewSettings,
} from '@civicloop/read-models';
import { writeBenchHistory } from '../../bench/projections/history';

jest.setTimeout(120_000);

const NAMES = ALL_PROJECTIONS.map((p) => p.name);
const fields = ({ type, data, caseId, at, position, actorUnitId }: CaseEventEnvelope) => ({ type, data, caseId, at, position, actorUnitId });

/**
 * The rebuild's own paths against the live one, on a small log of the bench's generator (escalations,
 * whistles, supervisions, reopens): the envelopes read through the store's lean reads equal those
 * read through readAll, and a rebuild (reading the file, with cases falling out of memory and
 * coming back or not) leaves exactly the tables the runners left applying batch by batch.
 */
describe('rebuild paths', () => {
  let dir: string;
  let store: SqliteEventStore;
  let rdb: ReadDatabase;
  let models: ReadModels;
  let incremental: string[];

  beforeAll(async () => {
    // The runners' per-batch debug lines would bury the test's output.
    Logger.overrideLogger(['warn', 'error']);
    dir = mkdtempSync(join(tmpdir(), 'civicloop-rebuild-paths-'));
    const directory = Directory.fromFile(DEMO_DIRECTORY_FILE);
    await writeBenchHistory(join(dir, 'events.sqlite'), 3000, directory);
    store = new SqliteEventStore(join(dir, 'events.sqlite'));
    rdb = openReadDatabase({ sqliteFile: join(dir, 'read.sqlite') });
    models = new ReadModels(rdb, store, new OrgLookup(directory), viewSettings());
    await models.ensureSchema();
    const runners = ALL_PROJECTIONS.map((p) => new ProjectionRunner(rdb, store, p, models.env, { owner: 'live', leaseMs: 10_000, retryMs: 100, batchSize: 97 }));
    runners.forEach((r) => r.start());
    try {
      await models.waitFor(Number(await store.headPosition()), NAMES, 60_000);
    } finally {
      await Promise.all(runners.map((r) => r.stop()));
    }
    incremental = await Promise.all(ALL_PROJECTIONS.map((p) => hashProjection(rdb, p)));
  });

  afterAll(async () => {
    await rdb?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the same envelopes through lean reads as through readAll', async () => {
    const fromFile = [];
    for await (const page of readLeanPages(store, 250)) fromFile.push(page);
    const throughPort = [];
    for await (const page of readThroughPort(store, 250)) throughPort.push(page);
    expect(fromFile.map((p) => ({ ...p, envelopes: p.envelopes.map(fields) }))).toEqual(throughPort.map((p) => ({ ...p, envelopes: p.envelopes.map(fields) })));
    expect(fromFile.reduce((n, p) => n + p.envelopes.length, 0)).toBeGreaterThan(2900);
  });

  it.each([
    ['every case in memory', {}],
    ['cases falling out of memory and coming back', { cachedCases: 4, batchSize: 61 }],
    ['more cases let go of than it remembers: every case not held is read back', { cachedCases: 4, batchSize: 61, rememberedCases: 3 }],
  ])('a rebuild gives the tables of the incremental run (%s)', async (_, options) => {
    await rebuildProjections(rdb, store, ALL_PROJECTIONS, models.env, options);
    expect(await Promise.all(ALL_PROJECTIONS.map((p) => hashProjection(rdb, p)))).toEqual(incremental);
  });

  it('a rebuild whose claim lapsed (its process paused) loses to the one that took over, which keeps its tables live', async () => {
    const board = ALL_PROJECTIONS.find((p) => p.name === 'board')!;
    const paused = await prepareRebuild(rdb, [board]);
    const folded = await foldIntoGenerations(rdb, store, [board], paused, models.env);
    // Paused past its claim: another rebuild takes the projection over, in a generation of its own.
    rdb.sqlite!.prepare("UPDATE projection_state SET rebuild_until = 0 WHERE name = 'board'").run();
    const [winner] = await rebuildProjections(rdb, store, [board], models.env);
    expect(winner.generation).toBe(paused[0].generation + 1);
    // Its tables were the taker's to drop (they may hold residents' texts): it fails, whatever it reached.
    const failure = await finishRebuild(rdb, [board], paused, folded).then(() => 'swapped in', (error: { message?: string }) => String(error?.message ?? error));
    expect(failure).toMatch(/no such table|claim lapsed/);
    expect((await new CheckpointStore(rdb).read('board'))).toMatchObject({ generation: winner.generation, rebuildOwner: null });
    expect(await hashProjection(rdb, board)).toEqual(incremental[ALL_PROJECTIONS.indexOf(board)]);
    const tables = rdb.sqlite!.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'board%'").all() as { name: string }[];
    expect(tables.map((t) => t.name).filter((name) => name.endsWith(`_g${paused[0].generation}`))).toEqual([]);
  });

  it('a rebuild that fails half way leaves no fresh tables (they may hold residents\' texts) and the views as they were', async () => {
    const tables = () => rdb.sqlite!.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all();
    const before = tables();
    let pages = 0;
    const failing = Object.assign(Object.create(store), {
      readAllLean: async (options: Parameters<NonNullable<SqliteEventStore['readAllLean']>>[0]) => {
        if (++pages > 5) throw new Error('disk gone');
        return store.readAllLean(options);
      },
    }) as SqliteEventStore;
    await expect(rebuildProjections(rdb, failing, ALL_PROJECTIONS, models.env, { cachedCases: 4, batchSize: 61 })).rejects.toThrow('disk gone');
    expect(pages).toBe(6);
    expect(tables()).toEqual(before);
    expect(await Promise.all(ALL_PROJECTIONS.map((p) => hashProjection(rdb, p)))).toEqual(incremental);
  });
});
