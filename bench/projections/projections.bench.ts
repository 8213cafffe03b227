import 'reflect-metadata';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { Directory, DEMO_DIRECTORY_FILE } from '@civicloop/directory';
import { SqliteEventStore } from '@civicloop/event-store';
import {
  ALL_PROJECTIONS, allTables, CheckpointStore, createTable, openReadDatabase, OrgLookup, physicalName, ReadDatabase, ReadModels,
  rebuildProjections, TableSpec, viewSettings,
} from '@civicloop/read-models';
import { startPostgres } from '../../test/support/postgres-server';
import { Figure, figure, round, writeResult } from '../harness/result';
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

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'civicloop-bench-projections-'));
  const pg = await startPostgres();
  try {
    const directory = Directory.fromFile(DEMO_DIRECTORY_FILE);
    console.log(`writing ${EVENTS} events ...`);
    const history = await writeBenchHistory(join(dir, 'events.sqlite'), EVENTS, directory);
    const store = new SqliteEventStore(join(dir, 'events.sqlite'));
    const org = new OrgLookup(directory);
    const figures: Figure[] = [];
    const settings = { history, rawBatchRows: RAW_BATCH, projections: ALL_PROJECTIONS.map((p) => p.name), postgres: 'PostgreSQL 15, local, fsync=off, synchronous_commit=off (test server)' } as Record<string, unknown>;

    for (const dialect of ['sqlite', 'postgres'] as const) {
      console.log(`rebuilding into ${dialect} ...`);
      const rdb = dialect === 'sqlite' ? openReadDatabase({ sqliteFile: join(dir, 'read.sqlite') }) : openReadDatabase({ databaseUrl: await pg.createDatabase('bench') });
      const models = new ReadModels(rdb, store, org, viewSettings());
      const rebuilt = await rebuildAll(rdb, models, store);
      const tables = await finalRows(rdb);
      const rowCount = tables.reduce((n, t) => n + t.rows.length, 0);
      let rawSeconds: number;
      if (dialect === 'sqlite') {
        rawSeconds = await (async () => {
          await rdb.close();
          const raw = new Database(join(dir, 'read.sqlite'));
          raw.pragma('journal_mode = WAL');
          raw.pragma('synchronous = NORMAL');
          const again = openReadDatabase({ sqliteFile: join(dir, 'read.sqlite') });
          const seconds = await rawInsert(again, tables, async (table, columns, rows) => {
            const statement = raw.prepare(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(',')}) VALUES (${columns.map(() => '?').join(',')})`);
            raw.transaction(() => rows.forEach((r) => statement.run(...(r as never[]))))();
          });
          await again.close();
          raw.close();
          return seconds;
        })();
      } else {
        const client = new Client({ connectionString: pg.urlFor('bench') });
        await client.connect();
        rawSeconds = await rawInsert(rdb, tables, async (table, columns, rows) => {
          const values = rows.map((r, i) => `(${columns.map((_, j) => `$${i * columns.length + j + 1}`).join(',')})`).join(',');
          await client.query(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(',')}) VALUES ${values}`, rows.flat());
        });
        await client.end();
        await rdb.close();
      }
      console.log(`  rebuild: ${round(rebuilt.seconds, 1)} s`);
      console.log(`  raw insert of ${rowCount} rows: ${round(rawSeconds, 1)} s`);
      settings[`${dialect}RowsWritten`] = rowCount;
      figures.push(figure({
        figure: `rebuild ${history.events.toLocaleString('en')} events into all views (${ALL_PROJECTIONS.length} projections), ${dialect}`,
        unit: 'events/s',
        value: Math.round(history.events / rebuilt.seconds),
        baseline: `raw batched INSERT of the same ${rowCount.toLocaleString('en')} final rows (${RAW_BATCH} per batch, no projection logic), as events/s`,
        baselineValue: Math.round(history.events / rawSeconds),
      }));
      figures.push(figure({ figure: `rebuild time, ${dialect}`, unit: 's', value: round(rebuilt.seconds, 1), baseline: 'raw batched insert time', baselineValue: round(rawSeconds, 1) }));
    }
    await store.close();
    const file = writeResult({
      name: 'projections',
      settings,
      figures,
      versions: { pg: require('pg/package.json').version },
      notes: [
        'A rebuild reads the log once for all projections (board, stats, chain); per batch of 5,000 events it loads the working documents of the cases touched, folds them and upserts every changed row, all in one transaction.',
        'The baseline writes only the final rows once; the projections also rewrite rows as cases move and keep their working documents, so a ratio well under 1 is expected.',
      ],
    });
    console.log(`wrote ${file}`);
  } finally {
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) run().catch((error) => { console.error(error); process.exit(1); });
