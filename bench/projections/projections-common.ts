import 'reflect-metadata';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Directory, DEMO_DIRECTORY_FILE } from '@civicloop/directory';
import { SqliteEventStore } from '@civicloop/event-store';
import { availableParallelism } from 'node:os';
import { ALL_PROJECTIONS, openReadDatabase, OrgLookup, ReadModels, rebuildInThreads, RebuildProgress, viewSettings } from '@civicloop/read-models';
import { benchRecipe } from './bench-side';
import { startPostgres } from '../../test/support/postgres-server';
import { API_NODE_ARGS, BenchResult, Figure, figure, RESULTS_DIR, ROOT, round, writeResult } from '../harness/result';
import { writeBenchHistory } from './history';
import { RAW_BATCH, rawInsertPostgres, rawInsertSqlite } from './raw-baseline';

/** Log sizes, e.g. BENCH_PROJECTION_EVENTS=150000,1000000,5000000 for the scaling table. */
const SIZES = (process.env.BENCH_PROJECTION_EVENTS ?? '1000000').split(',').map(Number);
/** PostgreSQL's baseline re-reads the rows with OFFSET; past this size it would measure that. */
const POSTGRES_MAX_EVENTS = Number(process.env.BENCH_PROJECTION_POSTGRES_MAX ?? 1_000_000);
const BATCH = 5000;
/** Generated logs live outside git and are reused: generation is deterministic (seeded). */
const HISTORY_DIR = join(ROOT, 'node_modules', '.cache', 'civicloop-bench-history');

export async function sharedHistory(directory: Directory, events: number): Promise<{ file: string; cases: number; events: number }> {
  mkdirSync(HISTORY_DIR, { recursive: true });
  const file = join(HISTORY_DIR, `projections-v2-${events}.sqlite`);
  const meta = `${file}.json`;
  if (existsSync(file) && existsSync(meta)) return { file, ...JSON.parse(readFileSync(meta, 'utf8')) };
  console.log(`writing ${events} events ...`);
  const partial = `${file}.partial`;
  rmSync(partial, { force: true });
  const started = performance.now();
  const written = await writeBenchHistory(partial, events, directory);
  renameSync(partial, file);
  writeFileSync(meta, JSON.stringify(written));
  console.log(`  written in ${round((performance.now() - started) / 1000, 1)} s`);
  return { file, ...written };
}

/**
 * Peak resident memory (the process, its threads included) while `work` runs, sampled every 100 ms,
 * and the peak V8 heap used: this thread's plus each rebuild thread's peak (reported with its progress).
 */
async function withMemoryPeak<T>(work: (onProgress: (p: RebuildProgress) => void) => Promise<T>): Promise<{ result: T; rssMb: number; heapMb: number }> {
  let rss = 0;
  let heap = 0;
  const threadHeaps = new Map<string, number>();
  const sample = () => {
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    heap = Math.max(heap, m.heapUsed);
  };
  const onProgress = (p: RebuildProgress) => threadHeaps.set(p.projection, Math.max(threadHeaps.get(p.projection) ?? 0, p.threadHeapBytes ?? 0));
  const timer = setInterval(sample, 100);
  try {
    const result = await work(onProgress);
    sample();
    const heaps = heap + [...threadHeaps.values()].reduce((a, b) => a + b, 0);
    return { result, rssMb: Math.round(rss / 2 ** 20), heapMb: Math.round(heaps / 2 ** 20) };
  } finally {
    clearInterval(timer);
  }
}

/** Both entries write one result file: each replaces its own dialect's figures and keeps the other's. */
function mergeResult(dialect: string, figures: Figure[], settings: Record<string, unknown>, notes: string[]): string {
  const today = new Date().toISOString().slice(0, 10);
  // A budget-sized run (npm run bench) must not overwrite the committed full-size figures.
  const name = SIZES.length > 1 ? 'projections-scaling' : SIZES[0] === 1_000_000 ? 'projections' : `projections-${SIZES[0]}-events`;
  const path = join(RESULTS_DIR, `${today}-${name}.json`);
  const previous: BenchResult | null = existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : null;
  const others = (previous?.figures ?? []).filter((f) => !f.figure.endsWith(`, ${dialect}`));
  return writeResult({
    name,
    settings: { ...(previous?.settings ?? {}), ...settings },
    figures: [...others, ...figures].sort((a, b) => a.figure.localeCompare(b.figure, 'en', { numeric: true })),
    versions: { pg: require('pg/package.json').version },
    notes,
  });
}

const NOTES = [
  'A rebuild runs as `projections rebuild` runs it: on SQLite the cases split by a hash of their id between worker threads, one per core (settings.threads), each thread with its own connections to the same files, reading the log up to the same event and folding only its cases; tables made before and indexes built and generations swapped after by the calling thread; on PostgreSQL in one thread. Each reading thread reads the log once for all projections in pages of 5,000 events (through the store\'s readAllLean: raw rows, the three metadata fields a projection needs picked out by the database); each projection folds its cases in memory (10,000 cases per projection, least recently touched out in groups of 5,000) and writes each row once, in its final state and in key order, when its case falls out or at the end; rows go in through prepared statements (SQLite) or one JSON text per table and chunk (PostgreSQL, json_to_recordset, one transaction per table, in parallel, written while the next pages fold); secondary indexes are built after the last row.',
  'The baseline writes only the final rows once (into tables with their indexes, so it also pays for index upkeep a rebuild leaves to the end); a rebuild writes the same rows (plus a row twice when its case fell out of memory and came back) and also reads and folds every event.',
  'Cases arrive at a steady 1,232 a day in every log, so a longer log covers more days (1,000,000 events: 90 days; 5,000,000: about 450), as a city\'s log grows; the logs are generated once (seeded) and cached under node_modules/.cache.',
  'Memory: peak RSS of the bench process (its threads included) sampled every 100 ms during the rebuild; the heap figure sums each thread\'s peak V8 heap used.',
];

const commit = () => execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim();

/**
 * A rebuild runs in the service (a projection's new version, a replica catching up) under the V8 flags
 * scripts/run.sh starts it with: its heap cap and its 64 MB young space, in which a page's envelopes
 * and rows die young instead of being copied out of a 16 MB one (bench/README, fifth pass). The entry
 * runs itself again under them when started without (as bench/read does).
 */
function underServiceFlags(entry: string): boolean {
  if (API_NODE_ARGS.every((flag) => process.execArgv.includes(flag))) return false;
  const child = spawnSync(process.execPath, [...process.execArgv, ...API_NODE_ARGS, entry], { stdio: 'inherit' });
  if (child.status !== 0) throw new Error(`${entry} under ${API_NODE_ARGS.join(' ')} failed (${child.status ?? child.signal})`);
  return true;
}

export async function runDialect(dialect: 'sqlite' | 'postgres', entry: string): Promise<void> {
  if (underServiceFlags(entry)) return;
  const sizes = dialect === 'postgres' ? SIZES.filter((n) => n <= POSTGRES_MAX_EVENTS) : SIZES;
  const pg = dialect === 'postgres' && sizes.length ? await startPostgres() : null;
  const figures: Figure[] = [];
  const settings: Record<string, unknown> = { commit: commit(), nodeFlags: process.execArgv.join(' '), rawBatchRows: RAW_BATCH, rebuildBatchEvents: BATCH, projections: ALL_PROJECTIONS.map((p) => p.name),
    threads: dialect === 'sqlite' ? availableParallelism() : 1 };
  try {
    const directory = Directory.fromFile(DEMO_DIRECTORY_FILE);
    for (const size of sizes) {
      const dir = mkdtempSync(join(tmpdir(), 'civicloop-bench-projections-'));
      try {
        const history = await sharedHistory(directory, size);
        const store = new SqliteEventStore(history.file);
        const file = join(dir, 'read.sqlite');
        const url = pg ? await pg.createDatabase(`bench${size}`) : null;
        const rdb = url ? openReadDatabase({ databaseUrl: url }) : openReadDatabase({ sqliteFile: file });
        const models = new ReadModels(rdb, store, new OrgLookup(directory), viewSettings());
        await models.ensureSchema();
        console.log(`rebuilding ${history.events} events into ${dialect} ...`);
        const started = performance.now();
        const cpuBefore = process.cpuUsage();
        // As `projections rebuild` runs it: on SQLite the cases split between threads (one per core), on PostgreSQL in one.
        const recipe = benchRecipe(url ? { eventFile: history.file, databaseUrl: url } : { eventFile: history.file, sqliteFile: file });
        const side = { rdb, store, env: models.env, close: async () => undefined };
        const measured = await withMemoryPeak((onProgress) => rebuildInThreads(side, recipe, ALL_PROJECTIONS, { batchSize: BATCH, onProgress, threads: settings.threads as number }));
        const seconds = (performance.now() - started) / 1000;
        const cpu = process.cpuUsage(cpuBefore);
        const cpuSeconds = (cpu.user + cpu.system) / 1e6;
        const raw = url ? await rawInsertPostgres(rdb, url) : await rawInsertSqlite(rdb, file);
        await rdb.close();
        await store.close();
        console.log(`  rebuild: ${round(seconds, 1)} s, ${round(cpuSeconds, 1)} s CPU (peak RSS ${measured.rssMb} MB); raw insert of ${raw.rows} rows: ${round(raw.seconds, 1)} s`);
        const events = history.events.toLocaleString('en');
        figures.push(
          figure({
            figure: `rebuild ${events} events into all views (${ALL_PROJECTIONS.length} projections), ${dialect}`,
            unit: 'events/s',
            value: Math.round(history.events / seconds),
            baseline: `raw batched INSERT of the same ${raw.rows.toLocaleString('en')} final rows (${RAW_BATCH} per batch, no projection logic), as events/s`,
            baselineValue: Math.round(history.events / raw.seconds),
            ...(dialect === 'sqlite' ? { target: '>= 50,000 events/s at 1,000,000 events' } : { target: 'ratio >= 0.5' }),
            ...(dialect === 'sqlite' ? { met: history.events / seconds >= 50_000 } : { met: raw.seconds / seconds >= 0.5 }),
          }),
          figure({
            figure: `rebuild ${events} events, peak memory, ${dialect}`, unit: 'MB RSS', value: measured.rssMb,
            baseline: 'peak V8 heap used in the same rebuild (every thread\'s peak, summed)', baselineValue: measured.heapMb,
          }),
        );
        settings[`${dialect}${size}`] = { events: history.events, cases: history.cases, rowsWritten: raw.rows, seconds: round(seconds, 1), rawSeconds: round(raw.seconds, 1),
          // On a machine shared with other work the wall clock hides the cost; CPU time of this process does not.
          nodeCpuSeconds: round(cpuSeconds, 1), eventsPerNodeCpuSecond: Math.round(history.events / cpuSeconds) };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      // Written after each size: a long run stopped at 5,000,000 events keeps what it measured.
      const rates = figures.filter((f) => f.unit === 'events/s').map((f) => f.value);
      if (rates.length > 1) settings[`${dialect}SpreadOfRates`] = round(Math.max(...rates) / Math.min(...rates) - 1, 3);
      const file = mergeResult(dialect, figures, {
        ...settings, ...(pg ? { postgres: 'PostgreSQL 15 on this machine, fsync=off, synchronous_commit=off (the test server)' } : { sqlite: 'WAL, synchronous=NORMAL, cache_size 64 MB' }),
      }, NOTES);
      console.log(`wrote ${file}`);
    }
  } finally {
    await pg?.stop();
  }
}
