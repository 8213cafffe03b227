import Database from 'better-sqlite3';
import { Client } from 'pg';
import { ALL_PROJECTIONS, allTables, CheckpointStore, createTable, physicalName, ReadDatabase, TableSpec } from '@civicloop/read-models';

export const RAW_BATCH = 1000;
/** Rows read (untimed) before each timed stretch of inserts: bounds memory at 5,000,000 events. */
const READ_CHUNK = 50_000;

/** The projections' current tables and their row counts. */
async function currentTables(rdb: ReadDatabase): Promise<{ spec: TableSpec; table: string }[]> {
  const states = await new CheckpointStore(rdb).readAll();
  return ALL_PROJECTIONS.flatMap((projection) => {
    const generation = states.find((s) => s.name === projection.name)!.generation;
    return allTables(projection).map((spec) => ({ spec, table: physicalName(spec.name, generation) }));
  });
}

/**
 * The baseline: the same final rows into empty tables of the same schema (indexes included),
 * batched, no projection logic. Rows are read in chunks outside the clock; only inserts are timed.
 * Returns seconds and rows written.
 */
export async function rawInsertSqlite(rdb: ReadDatabase, file: string): Promise<{ seconds: number; rows: number }> {
  const tables = await currentTables(rdb);
  for (const { spec } of tables) await createTable(rdb.db, rdb.dialect, spec, 999);
  const raw = new Database(file);
  raw.pragma('synchronous = NORMAL');
  let seconds = 0;
  let rows = 0;
  for (const { spec, table } of tables) {
    const columns = Object.keys(spec.columns);
    const statement = raw.prepare(`INSERT INTO "${physicalName(spec.name, 999)}" (${columns.map((c) => `"${c}"`).join(',')}) VALUES (${columns.map(() => '?').join(',')})`);
    const insert = raw.transaction((batch: unknown[][]) => batch.forEach((r) => statement.run(r)));
    const page = raw.prepare(`SELECT rowid, ${columns.map((c) => `"${c}"`).join(',')} FROM "${table}" WHERE rowid > ? ORDER BY rowid LIMIT ?`).raw(true);
    for (let after = 0; ;) {
      const read = page.all(after, READ_CHUNK) as unknown[][];
      if (read.length === 0) break;
      after = Number(read[read.length - 1][0]);
      const chunk = read.map((r) => r.slice(1));
      const started = performance.now();
      for (let i = 0; i < chunk.length; i += RAW_BATCH) insert(chunk.slice(i, i + RAW_BATCH));
      seconds += (performance.now() - started) / 1000;
      rows += chunk.length;
    }
  }
  raw.close();
  return { seconds, rows };
}

/** The same on PostgreSQL: multi-row INSERTs of RAW_BATCH rows through one client. */
export async function rawInsertPostgres(rdb: ReadDatabase, url: string): Promise<{ seconds: number; rows: number }> {
  const tables = await currentTables(rdb);
  for (const { spec } of tables) await createTable(rdb.db, rdb.dialect, spec, 999);
  const client = new Client({ connectionString: url });
  await client.connect();
  let seconds = 0;
  let rows = 0;
  try {
    for (const { spec, table } of tables) {
      const columns = Object.keys(spec.columns);
      const key = spec.primaryKey.map((c) => `"${c}"`).join(',');
      const head = `INSERT INTO "${physicalName(spec.name, 999)}" (${columns.map((c) => `"${c}"`).join(',')}) VALUES `;
      for (let offset = 0; ; offset += READ_CHUNK) {
        const chunk = (await client.query({ text: `SELECT * FROM "${table}" ORDER BY ${key} LIMIT ${READ_CHUNK} OFFSET ${offset}`, rowMode: 'array' })).rows as unknown[][];
        if (chunk.length === 0) break;
        const started = performance.now();
        for (let i = 0; i < chunk.length; i += RAW_BATCH) {
          const batch = chunk.slice(i, i + RAW_BATCH);
          const values = batch.map((_, r) => `(${columns.map((__, c) => `$${r * columns.length + c + 1}`).join(',')})`).join(',');
          await client.query(head + values, batch.flat());
        }
        seconds += (performance.now() - started) / 1000;
        rows += chunk.length;
      }
    }
  } finally {
    await client.end();
  }
  return { seconds, rows };
}
