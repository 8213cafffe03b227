import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Directory, DEMO_DIRECTORY_FILE } from '@civicloop/directory';
import { SqliteEventStore } from '@civicloop/event-store';
import { ALL_PROJECTIONS, openReadDatabase, OrgLookup, ReadModels, rebuildInThreads, rebuildProjections, viewSettings } from '@civicloop/read-models';
import { benchRecipe } from './bench-side';
import { startPostgres } from '../../test/support/postgres-server';
import { sharedHistory } from './projections-common';

/**
 * One SQLite rebuild of a cached log, timed, for a profile:
 * node --cpu-prof node_modules/.cache/civicloop-bench/bench/projections/profile.js 150000 [board,stats,chain] [postgres]
 */
async function main(): Promise<void> {
  const size = Number(process.argv[2] ?? 150_000);
  const only = process.argv[3] && process.argv[3] !== 'all' ? process.argv[3].split(',') : null;
  const pg = process.argv[4] === 'postgres' ? await startPostgres() : null;
  const directory = Directory.fromFile(DEMO_DIRECTORY_FILE);
  const history = await sharedHistory(directory, size);
  const dir = mkdtempSync(join(tmpdir(), 'civicloop-profile-'));
  try {
    const store = new SqliteEventStore(history.file);
    const rdb = pg ? openReadDatabase({ databaseUrl: await pg.createDatabase('profile') }) : openReadDatabase({ sqliteFile: join(dir, 'read.sqlite') });
    const models = new ReadModels(rdb, store, new OrgLookup(directory), viewSettings());
    await models.ensureSchema();
    const projections = ALL_PROJECTIONS.filter((p) => !only || only.includes(p.name));
    const started = performance.now();
    const cpu = process.cpuUsage();
    const options = { batchSize: 5000, cachedCases: Number(process.env.CACHED_CASES ?? 10_000) };
    if (process.env.THREADS && !pg) {
      const side = { rdb, store, env: models.env, close: async () => undefined };
      await rebuildInThreads(side, benchRecipe({ eventFile: history.file, sqliteFile: join(dir, 'read.sqlite') }), projections, { ...options, threads: Number(process.env.THREADS), minEventsForThreads: Number(process.env.MIN_EVENTS_FOR_THREADS ?? 300_000) });
    }
    else await rebuildProjections(rdb, store, projections, models.env, options);
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const cpuSeconds = (used.user + used.system) / 1e6;
    console.log(`${history.events} events, ${projections.map((p) => p.name).join('+')}: ${seconds.toFixed(1)} s, ${Math.round(history.events / seconds)} events/s, ${cpuSeconds.toFixed(1)} s CPU (${Math.round(history.events / cpuSeconds)} events per CPU second), peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
    await rdb.close();
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await pg?.stop();
  }
}

main().catch((error) => { console.error(error); process.exit(1); });
