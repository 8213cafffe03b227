import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
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
const byName = (...names: string[]) => names.map((name) => ALL_PROJECTIONS.find((p) => p.name === name)!);
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
  let cliRecipe: (env: Record<string, string | undefined>) => { module: string; args: unknown };

  beforeAll(async () => {
    requireCompleteBuild();
    // A registry of its own: the compiled platform registers the same metrics as the one the test imports.
    jest.isolateModules(() => {
      threads = require(join(DIST, 'libs', 'read-models', 'src', 'runner', 'rebuild-threads.js'));
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

  it.each([
    ['two threads, every case in memory', { threads: 2 }],
    ['two threads, cases falling out of memory and coming back', { threads: 2, cachedCases: 8, batchSize: 61 }],
    ['three threads', { threads: 3, cachedCases: 150, batchSize: 200 }],
    ['one thread (no second reading of the log)', { threads: 1, cachedCases: 150 }],
  ])('leaves the tables of a rebuild in one thread (%s)', async (_, options) => {
    const side = await openSide();
    try {
      const head = Number(await side.store.headPosition());
      const progress: RebuildProgress[] = [];
      const results: RebuildResult[] = await threads.rebuildInThreads(side, cliRecipe({ ...process.env, DATA_DIR: dir }), ALL_PROJECTIONS, {
        ...options, onProgress: (p: RebuildProgress) => progress.push(p),
      });
      expect(results.map((r) => [r.name, r.position])).toEqual(ALL_PROJECTIONS.map((p) => [p.name, head]));
      expect(new Set(progress.map((p) => p.projection)).size).toBe(options.threads);
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
      const results: RebuildResult[] = await threads.rebuildInThreads(side, cliRecipe({ ...process.env, DATA_DIR: dir }), byName('board'), {
        threads: 2, batchSize: 100,
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
      expect(await hashProjection(side.rdb, byName('board')[0])).toEqual(single[ALL_PROJECTIONS.findIndex((p) => p.name === 'board')]);
    } finally {
      await appender.close();
      await side.close();
    }
  });

  it('fails, in words, when a thread cannot open its side, and swaps nothing in', async () => {
    const side = await openSide();
    const generations = () => side.rdb.sqlite!.prepare('SELECT name, generation FROM projection_state ORDER BY name').all();
    try {
      const before = generations();
      const broken = { module: join(dir, 'no-such-module.js'), args: {} };
      await expect(threads.rebuildInThreads(side, broken, ALL_PROJECTIONS, { threads: 2 })).rejects.toThrow(/rebuild part 1\/2: .*no-such-module/);
      expect(generations()).toEqual(before);
      // A configuration that names no store: refused by the thread, in words.
      await expect(threads.rebuildInThreads(side, cliRecipe({ ...process.env, DATA_DIR: join(dir, 'empty') }), byName('board'), { threads: 2 }))
        .rejects.toThrow(/no event store/);
      expect(generations()).toEqual(before);
    } finally {
      await side.close();
    }
  });
});
