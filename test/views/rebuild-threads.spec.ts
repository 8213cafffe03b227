import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Directory, DEMO_DIRECTORY_FILE } from '@civicloop/directory';
import { SqliteEventStore } from '@civicloop/event-store';
import {
  ALL_PROJECTIONS, hashProjection, openReadDatabase, OrgLookup, ReadDatabase, ReadModels, rebuildProjections, RebuildProgress, RebuildResult, RebuildSide, viewSettings,
} from '@civicloop/read-models';
import { writeBenchHistory } from '../../bench/projections/history';
import { requireCompleteBuild } from '../support/complete-build';

jest.setTimeout(120_000);

const DIST = join(__dirname, '..', '..', 'dist');
const directory = Directory.fromFile(DEMO_DIRECTORY_FILE);

/**
 * The rebuild the CLI runs: the cases split between worker threads, each thread opening its own
 * connections from the service's configuration (the compiled code: a thread runs JavaScript files)
 * and writing into the same read database as the others. The tables must be those of a rebuild in
 * one thread, whatever the order in which the threads' commits land, and a log that grows during
 * the rebuild must not leave the parts at different events.
 */
describe('rebuild in threads', () => {
  let dir: string;
  let single: string[];
  // The compiled module, as the CLI loads it (the threads' entry is its sibling file).
  let threads: { rebuildInThreads: typeof import('@civicloop/read-models').rebuildInThreads };
  // The compiled projections: a thread finds its projections among these very objects.
  let projections: typeof ALL_PROJECTIONS;
  const named = (...names: string[]) => names.map((name) => projections.find((p) => p.name === name)!);
  let cliRecipe: (env: Record<string, string | undefined>) => { module: string; args: unknown };

  beforeAll(async () => {
    requireCompleteBuild();
    // A registry of its own: the compiled platform registers the same metrics as the one the test imports.
    jest.isolateModules(() => {
      threads = require(join(DIST, 'libs', 'read-models', 'src', 'runner', 'rebuild-threads.js'));
      projections = require(join(DIST, 'libs', 'read-models', 'src', 'projections')).ALL_PROJECTIONS;
      cliRecipe = require(join(DIST, 'apps', 'api', 'src', 'cli', 'rebuild-side.js')).cliRecipe;
    });
    dir = mkdtempSync(join(tmpdir(), 'civicloop-rebuild-threads-'));
    await writeBenchHistory(join(dir, 'events.sqlite'), 3000, directory);
    const store = new SqliteEventStore(join(dir, 'events.sqlite'));
    const rdb = openReadDatabase({ sqliteFile: join(dir, 'one-thread.sqlite') });
    try {
      const models = new ReadModels(rdb, store, new OrgLookup(directory), viewSettings());
      await models.ensureSchema();
      await rebuildProjections(rdb, store, ALL_PROJECTIONS, models.env);
      single = await Promise.all(ALL_PROJECTIONS.map((p) => hashProjection(rdb, p)));
    } finally {
      await rdb.close();
      await store.close();
    }
  });
  afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  /** The read side the calling thread keeps: the service's files under DATA_DIR, opened the way the test opens them. */
  async function openSide(): Promise<RebuildSide & { rdb: ReadDatabase }> {
    const store = new SqliteEventStore(join(dir, 'events.sqlite'));
    const rdb = openReadDatabase({ sqliteFile: join(dir, 'read-models.sqlite') });
    const models = new ReadModels(rdb, store, new OrgLookup(directory), viewSettings());
    await models.ensureSchema();
    return { rdb, store, env: models.env, close: async () => { await rdb.close(); await store.close(); } };
  }

  /**
   * The bench's kind of recipe (the log's lean reads, the bench's path) as a compiled module written for
   * the test; `failingPart` has its log read fail after `failAfterPages` pages.
   */
  function leanRecipe(args: { failingPart?: number; failAfterPages?: number; eventFile?: string } = {}) {
    const module = join(dir, 'lean-recipe.js');
    writeFileSync(module, `
      const { SqliteEventStore } = require(${JSON.stringify(join(DIST, 'libs', 'event-store', 'src'))});
      const { Directory, DEMO_DIRECTORY_FILE } = require(${JSON.stringify(join(DIST, 'libs', 'directory', 'src'))});
      const { openReadDatabase, OrgLookup, ReadModels, viewSettings } = require(${JSON.stringify(join(DIST, 'libs', 'read-models', 'src'))});
      const { workerData } = require('node:worker_threads');
      exports.openRebuildSide = async (args) => {
        const store = new SqliteEventStore(args.eventFile);
        const rdb = openReadDatabase({ sqliteFile: args.sqliteFile });
        const models = new ReadModels(rdb, store, new OrgLookup(Directory.fromFile(DEMO_DIRECTORY_FILE)), viewSettings());
        if (workerData.partition.index === args.failingPart) {
          let pages = 0;
          const read = store.readAllLean.bind(store);
          store.readAllLean = async (options) => { if (++pages > args.failAfterPages) throw new Error('disk gone'); return read(options); };
        }
        return { rdb, store, env: models.env, close: async () => { await rdb.close(); await store.close(); } };
      };`);
    return { module, args: { eventFile: join(dir, 'events.sqlite'), sqliteFile: join(dir, 'read-models.sqlite'), ...args } };
  }

  it.each([
    ['two threads, every case in memory', { threads: 2, minEventsForThreads: 0 }],
    ['two threads, cases falling out of memory and coming back', { threads: 2, cachedCases: 8, batchSize: 61, minEventsForThreads: 0 }],
    ['three threads', { threads: 3, cachedCases: 150, batchSize: 200, minEventsForThreads: 0 }],
    ['one thread (no second reading of the log)', { threads: 1, cachedCases: 150 }],
    ['a log too short for threads', { threads: 2, cachedCases: 150, expectedParts: 1 }],
  ])('leaves the tables of a rebuild in one thread (%s)', async (_, options) => {
    const side = await openSide();
    try {
      const head = Number(await side.store.headPosition());
      const progress: RebuildProgress[] = [];
      const { expectedParts, ...rebuildOptions } = options as typeof options & { expectedParts?: number };
      const results: RebuildResult[] = await threads.rebuildInThreads(side, cliRecipe({ ...process.env, DATA_DIR: dir }), projections, {
        ...rebuildOptions, onProgress: (p: RebuildProgress) => progress.push(p),
      });
      expect(results.map((r) => [r.name, r.position])).toEqual(ALL_PROJECTIONS.map((p) => [p.name, head]));
      expect(new Set(progress.map((p) => p.projection)).size).toBe(expectedParts ?? options.threads);
      expect(await Promise.all(ALL_PROJECTIONS.map((p) => hashProjection(side.rdb, p)))).toEqual(single);
    } finally {
      await side.close();
    }
  });

  it('stops every part at the event that was last when it began, though the log grows meanwhile', async () => {
    const side = await openSide();
    const appender = new SqliteEventStore(join(dir, 'events.sqlite'));
    try {
      const head = Number(await side.store.headPosition());
      let appended = false;
      const results: RebuildResult[] = await threads.rebuildInThreads(side, leanRecipe(), named('board'), {
        threads: 2, batchSize: 100, minEventsForThreads: 0,
        onProgress: () => {
          if (appended) return;
          appended = true;
          // Not a valid intake: a part that read it would fail, not merely hash differently.
          const metadata = {
            eventId: randomUUID(), streamId: 'case-late', occurredAt: new Date().toISOString(), actor: { id: 'test', role: 'operator', unitId: null },
            commandId: randomUUID(), correlationId: randomUUID(), causationId: randomUUID(), schemaVersion: 1, caseId: 'late',
          };
          void appender.append('case-late', [{ type: 'CaseReceived', data: {}, metadata }], 'no_stream');
        },
      });
      expect(appended).toBe(true);
      expect(results.map((r) => r.position)).toEqual([head]);
      expect(await hashProjection(side.rdb, named('board')[0])).toEqual(single[ALL_PROJECTIONS.findIndex((p) => p.name === 'board')]);
    } finally {
      await appender.close();
      await side.close();
    }
  });

  it('fails, in words, when a thread cannot open its side or fails half way, and leaves no fresh tables', async () => {
    const side = await openSide();
    const state = () => side.rdb.sqlite!.prepare('SELECT name, generation FROM projection_state ORDER BY name').all();
    const tables = () => side.rdb.sqlite!.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all();
    try {
      const before = { state: state(), tables: tables() };
      const broken = { module: join(dir, 'no-such-module.js'), args: {} };
      await expect(threads.rebuildInThreads(side, broken, projections, { threads: 2, minEventsForThreads: 0 })).rejects.toThrow(/rebuild part \d\/2: .*no-such-module/);
      expect({ state: state(), tables: tables() }).toEqual(before);
      // A configuration that names no store: refused by the thread, in words.
      await expect(threads.rebuildInThreads(side, cliRecipe({ ...process.env, DATA_DIR: join(dir, 'empty') }), named('board'), { threads: 2, minEventsForThreads: 0 }))
        .rejects.toThrow(/no event store/);
      expect({ state: state(), tables: tables() }).toEqual(before);
      // One part's log read fails after both parts have written rows: the other part is stopped, the fresh tables dropped.
      await expect(threads.rebuildInThreads(side, leanRecipe({ failingPart: 1, failAfterPages: 6 }), projections, {
        threads: 2, batchSize: 100, cachedCases: 8, minEventsForThreads: 0,
      })).rejects.toThrow(/rebuild part 2\/2: disk gone/);
      expect({ state: state(), tables: tables() }).toEqual(before);
      expect(await Promise.all(ALL_PROJECTIONS.map((p) => hashProjection(side.rdb, p)))).toEqual(single);
      // The threads open a copy of the log that stops short of the last event: refused, not swapped in
      // with that event's position and without its cases' last events.
      const short = join(dir, 'short-copy.sqlite');
      const original = new Database(join(dir, 'events.sqlite'), { readonly: true });
      await original.backup(short);
      original.close();
      const cut = new Database(short);
      cut.prepare('DELETE FROM events WHERE position > (SELECT max(position) - 200 FROM events)').run();
      cut.close();
      await expect(threads.rebuildInThreads(side, leanRecipe({ eventFile: short }), projections, { threads: 2, minEventsForThreads: 0 }))
        .rejects.toThrow(/does not end at this one's event at position \d+ \(it read to \d+, holding no event there\)/);
      expect({ state: state(), tables: tables() }).toEqual(before);
      // Refused before anything is made: a projection a thread would not know, a thread count that is no count.
      await expect(threads.rebuildInThreads(side, leanRecipe(), [{ ...named('board')[0], name: 'heatmap' }], { threads: 2 })).rejects.toThrow(/heatmap is not one of ALL_PROJECTIONS/);
      await expect(threads.rebuildInThreads(side, leanRecipe(), projections, { threads: Number('two') })).rejects.toThrow(/threads must be a whole number from 1 to 64/);
      await expect(threads.rebuildInThreads(side, leanRecipe(), projections, { threads: 1e3 })).rejects.toThrow(/not 1000/);
      expect({ state: state(), tables: tables() }).toEqual(before);
    } finally {
      await side.close();
    }
  });
});
