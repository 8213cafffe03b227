import 'reflect-metadata';
import Database from 'better-sqlite3';
import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { Directory, DEMO_DIRECTORY_FILE } from '@civicloop/directory';
import { SqliteEventStore } from '@civicloop/event-store';
import {
  ALL_PROJECTIONS, allTables, CheckpointStore, createTable, openReadDatabase, OrgLookup, physicalName, ReadDatabase, ReadModels,
  rebuildProjections, TableSpec, viewSettings,
} from '@civicloop/read-models';
import { existsSync, readFileSync } from 'node:fs';
import { startPostgres } from '../../test/support/postgres-server';
import { BenchResult, Figure, figure, RESULTS_DIR, round, writeResult } from '../harness/result';
import { writeBenchHistory } from './history';

const EVENTS = Number(process.env.BENCH_PROJECTION_EVENTS ?? 1_000_000);
const RAW_BATCH = 1000;

/** Every row of the projections' current tables: what the raw baseline inserts again. */
async function finalRows(rdb: ReadDatabase): Promise<{ spec: TableSpec; rows: Record<string, unknown>[] }[]> {
  const out = [];
  const states = await new CheckpointStore(rdb).readAll();
  for (const projection of ALL_PROJECTIONS) {
    const generation = states.find((s) => s.name === projection.name)!.generation;
    for (const spec of allTables(projection)) {
      out.push({ spec, rows: await rdb.db.selectFrom(physicalName(spec.name, generation)).selectAll().execute() });
    }
  }
  return out;
}

/** The baseline: the same final rows into empty tables of the same schema, batched, no projection logic. */
async function rawInsert(rdb: ReadDatabase, tables: { spec: TableSpec; rows: Record<string, unknown>[] }[], insert: (table: string, columns: string[], rows: unknown[][]) => Promise<void>) {
  for (const { spec } of tables) await createTable(rdb.db, rdb.dialect, spec, 999);
  const started = performance.now();
  for (const { spec, rows } of tables) {
    const columns = Object.keys(spec.columns);
    for (let i = 0; i < rows.length; i += RAW_BATCH) {
      await insert(physicalName(spec.name, 999), columns, rows.slice(i, i + RAW_BATCH).map((r) => columns.map((c) => r[c] ?? null)));
    }
  }
  return (performance.now() - started) / 1000;
}

async function rebuildAll(rdb: ReadDatabase, models: ReadModels, store: SqliteEventStore) {
  await models.ensureSchema();
  const started = performance.now();
  await rebuildProjections(rdb, store, ALL_PROJECTIONS, models.env, { batchSize: 5000 });
  return { seconds: (performance.now() - started) / 1000 };
}

/**
 * The generated log is shared by the SQLite and the PostgreSQL entry (each must finish within the
 * harness's per-entry limit): the first one writes it, the next one reuses it.
 */
async function sharedHistory(directory: Directory): Promise<{ file: string; cases: number; events: number }> {
  const file = join(tmpdir(), `civicloop-bench-projections-v1-${EVENTS}.sqlite`);
  const meta = `${file}.json`;
  if (existsSync(file) && existsSync(meta)) return { file, ...JSON.parse(readFileSync(meta, 'utf8')) };
  console.log(`writing ${EVENTS} events ...`);
  const partial = `${file}.partial`;
  rmSync(partial, { force: true });
  const written = await writeBenchHistory(partial, EVENTS, directory);
  renameSync(partial, file);
  require('node:fs').writeFileSync(meta, JSON.stringify(written));
  return { file, ...written };
}

/** Both entries write one result file: each replaces its own dialect's figures and keeps the other's. */
function mergeResult(dialect: string, figures: Figure[], settings: Record<string, unknown>, notes: string[]): string {
  const today = new Date().toISOString().slice(0, 10);
  // A budget-sized run (npm run bench) must not overwrite the committed full-size figures.
  const name = EVENTS === 1_000_000 ? 'projections' : `projections-${EVENTS}-events`;
  const path = join(RESULTS_DIR, `${today}-${name}.json`);
  const previous: BenchResult | null = existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : null;
  const others = (previous?.figures ?? []).filter((f) => !f.figure.endsWith(`, ${dialect}`));
  return writeResult({
    name,
    settings: { ...(previous?.settings ?? {}), ...settings },
    figures: [...others, ...figures].sort((a, b) => a.figure.localeCompare(b.figure)),
    versions: { pg: require('pg/package.json').version },
    notes,
  });
}

const NOTES = [
  'A rebuild reads the log once for all projections (board, stats, chain); per batch of 5,000 events it loads the working documents of the cases touched, folds them and upserts every changed row, all in one transaction.',
  'The baseline writes only the final rows once; the projections also rewrite rows as cases move and keep their working documents, so a ratio well under 1 is expected.',
  'The SQLite and PostgreSQL figures come from two entries run one after the other on the same generated log; each baseline was measured in the same entry as its figure.',
];

export async function runDialect(dialect: 'sqlite' | 'postgres'): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'civicloop-bench-projections-'));
  const pg = dialect === 'postgres' ? await startPostgres() : null;
  try {
    const directory = Directory.fromFile(DEMO_DIRECTORY_FILE);
    const history = await sharedHistory(directory);
    const store = new SqliteEventStore(history.file);
    const org = new OrgLookup(directory);
    console.log(`rebuilding ${history.events} events into ${dialect} ...`);
    const rdb = pg ? openReadDatabase({ databaseUrl: await pg.createDatabase('bench') }) : openReadDatabase({ sqliteFile: join(dir, 'read.sqlite') });
    const models = new ReadModels(rdb, store, org, viewSettings());
    const rebuilt = await rebuildAll(rdb, models, store);
    const tables = await finalRows(rdb);
    const rowCount = tables.reduce((n, t) => n + t.rows.length, 0);
    let rawSeconds: number;
    if (!pg) {
      const raw = new Database(join(dir, 'read.sqlite'));
      raw.pragma('synchronous = NORMAL');
      rawSeconds = await rawInsert(rdb, tables, async (table, columns, rows) => {
        const statement = raw.prepare(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(',')}) VALUES (${columns.map(() => '?').join(',')})`);
        raw.transaction(() => rows.forEach((r) => statement.run(...(r as never[]))))();
      });
      raw.close();
    } else {
      const client = new Client({ connectionString: pg.urlFor('bench') });
      await client.connect();
      rawSeconds = await rawInsert(rdb, tables, async (table, columns, rows) => {
        const values = rows.map((r, i) => `(${columns.map((_, j) => `$${i * columns.length + j + 1}`).join(',')})`).join(',');
        await client.query(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(',')}) VALUES ${values}`, rows.flat());
      });
      await client.end();
    }
    await rdb.close();
    await store.close();
    console.log(`  rebuild: ${round(rebuilt.seconds, 1)} s; raw insert of ${rowCount} rows: ${round(rawSeconds, 1)} s`);
    const figures = [
      figure({
        figure: `rebuild ${history.events.toLocaleString('en')} events into all views (${ALL_PROJECTIONS.length} projections), ${dialect}`,
        unit: 'events/s',
        value: Math.round(history.events / rebuilt.seconds),
        baseline: `raw batched INSERT of the same ${rowCount.toLocaleString('en')} final rows (${RAW_BATCH} per batch, no projection logic), as events/s`,
        baselineValue: Math.round(history.events / rawSeconds),
      }),
      figure({ figure: `rebuild time, ${dialect}`, unit: 's', value: round(rebuilt.seconds, 1), baseline: 'raw batched insert time', baselineValue: round(rawSeconds, 1) }),
    ];
    const file = mergeResult(dialect, figures, {
      events: history.events, cases: history.cases, rawBatchRows: RAW_BATCH, rebuildBatchEvents: 5000,
      projections: ALL_PROJECTIONS.map((p) => p.name), [`${dialect}RowsWritten`]: rowCount,
      ...(pg ? { postgres: 'PostgreSQL 15 on this machine, fsync=off, synchronous_commit=off (the test server)' } : { sqlite: 'WAL, synchronous=NORMAL' }),
    }, NOTES);
    console.log(`wrote ${file}`);
  } finally {
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
