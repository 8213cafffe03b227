import type Sqlite from 'better-sqlite3';
import { CompiledQuery } from 'kysely';
import { Dialect, ReadDb } from '../database';
import { ColumnType, physicalName, Row, TableSpec } from '../table-spec';

/**
 * Where a batch writes: the transaction, its dialect and, on SQLite, the raw connection under it
 * (the same single connection, so raw statements run inside the transaction Kysely opened).
 */
export interface BatchTarget {
  db: ReadDb;
  dialect: Dialect;
  sqlite?: Sqlite.Database;
}

/** Prepared once per connection and SQL text: preparing a statement cost more than running it. */
const statements = new WeakMap<Sqlite.Database, Map<string, Sqlite.Statement>>();
function prepared(sqlite: Sqlite.Database, text: string): Sqlite.Statement {
  let cache = statements.get(sqlite);
  if (!cache) statements.set(sqlite, (cache = new Map()));
  let statement = cache.get(text);
  if (!statement) cache.set(text, (statement = sqlite.prepare(text)));
  return statement;
}

const quoted = (columns: string[]) => columns.map((c) => `"${c}"`).join(', ');

function conflictClause(spec: TableSpec, columns: string[]): string {
  const others = columns.filter((c) => !spec.primaryKey.includes(c));
  return ` on conflict (${quoted(spec.primaryKey)}) do ${others.length === 0 ? 'nothing'
    : `update set ${others.map((c) => `"${c}" = excluded."${c}"`).join(', ')}`}`;
}

const PG_ARRAY: Record<ColumnType, string> = { text: 'text[]', int: 'bigint[]', num: 'double precision[]' };
const PG_TYPE: Record<ColumnType, string> = { text: 'text', int: 'bigint', num: 'double precision' };
/**
 * What JSON.stringify writes as a \u escape that PostgreSQL's json cannot turn into text: a lone
 * surrogate (the array path sends it as U+FFFD, as Node encodes it) and NUL. A literal backslash
 * before "ud8" matches too; that only costs the slower path.
 */
const NOT_FOR_PG_JSON = /\\u(d[89a-f]|0000)/;
const PG_CHUNK = 5000;
/**
 * Rows per run of SQLite's multi-row statement: one call into SQLite and one result object per 16
 * rows instead of per row (~15% of the inserts' time), well under its limit of bound parameters
 * (the widest table, 56 columns, binds 896).
 */
const SQLITE_BLOCK = 16;

/**
 * A value as PostgreSQL takes it on the array path: no text value may hold NUL (a resident can type
 * one; refusing the row would stop the view for every later event), and a non-finite number is
 * stored as NULL, as the JSON path (JSON.stringify) and SQLite store it.
 */
function forPgArray(value: unknown): unknown {
  if (typeof value === 'string') return value.includes('\0') ? value.replaceAll('\0', '\ufffd') : value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  return value ?? null;
}

/**
 * Insert-or-replace by primary key; each key at most once per call. SQLite: prepared statements of
 * 16 rows and of one (no SQL text built per batch, no parsing). PostgreSQL: one
 * statement per table and chunk whose rows come as one JSON text (json_to_recordset), or as one
 * array per column (unnest) when the text holds what PostgreSQL's json refuses, so thousands of
 * rows cost one round trip and one plan, with no limit on parameters. Identifiers come from our table specs only.
 */
export async function writeRows(target: BatchTarget, spec: TableSpec, generation: number, rows: Row[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(spec.columns);
  const table = physicalName(spec.name, generation);
  const head = `insert into "${table}" (${quoted(columns)}) `;
  if (target.dialect === 'sqlite' && target.sqlite) {
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    const conflict = conflictClause(spec, columns);
    const block = prepared(target.sqlite, `${head}values ${new Array(SQLITE_BLOCK).fill(tuple).join(', ')}${conflict}`);
    const single = prepared(target.sqlite, `${head}values ${tuple}${conflict}`);
    const n = columns.length;
    const values: unknown[] = new Array(n * SQLITE_BLOCK);
    let r = 0;
    for (; r + SQLITE_BLOCK <= rows.length; r += SQLITE_BLOCK) {
      for (let j = 0; j < SQLITE_BLOCK; j++) {
        const row = rows[r + j];
        for (let i = 0; i < n; i++) values[j * n + i] = row[columns[i]] ?? null;
      }
      block.run(values);
    }
    values.length = n;
    for (; r < rows.length; r++) {
      const row = rows[r];
      for (let i = 0; i < n; i++) values[i] = row[columns[i]] ?? null;
      single.run(values);
    }
    return;
  }
  if (target.dialect === 'postgres') {
    // A chunk goes as one JSON text (one native stringify; node-pg escapes array literals value by value, in JS).
    const fromJson = `${head}select ${quoted(columns)} from json_to_recordset($1::json) as r(${columns.map((c) => `"${c}" ${PG_TYPE[spec.columns[c]]}`).join(', ')})${conflictClause(spec, columns)}`;
    const fromArrays = `${head}select * from unnest(${columns.map((c, i) => `$${i + 1}::${PG_ARRAY[spec.columns[c]]}`).join(', ')})${conflictClause(spec, columns)}`;
    for (let i = 0; i < rows.length; i += PG_CHUNK) {
      const slice = rows.slice(i, i + PG_CHUNK);
      const json = JSON.stringify(slice);
      await target.db.executeQuery(NOT_FOR_PG_JSON.test(json)
        ? CompiledQuery.raw(fromArrays, columns.map((c) => slice.map((row) => forPgArray(row[c]))))
        : CompiledQuery.raw(fromJson, [json]));
    }
    return;
  }
  // A SQLite database opened without its raw handle (not through openReadDatabase): multi-row statements.
  const chunk = Math.max(1, Math.floor(30000 / columns.length));
  for (let i = 0; i < rows.length; i += chunk) {
    const slice = rows.slice(i, i + chunk);
    const parameters: unknown[] = [];
    const tuples = slice.map((row) => `(${columns.map((c) => {
      parameters.push(row[c] ?? null);
      return '?';
    }).join(', ')})`);
    await target.db.executeQuery(CompiledQuery.raw(`${head}values ${tuples.join(', ')}${conflictClause(spec, columns)}`, parameters));
  }
}

const IN_CHUNK = 500;

/** Rows of a case-keyed table for the given case ids (those that exist), keyed by case id. */
export async function readCaseRows(target: BatchTarget, table: string, columns: string[] | '*', caseIds: string[]): Promise<Map<string, Row>> {
  const found = new Map<string, Row>();
  if (caseIds.length === 0) return found;
  const select = columns === '*' ? '*' : quoted(columns);
  if (target.dialect === 'sqlite' && target.sqlite) {
    const statement = prepared(target.sqlite, `select ${select} from "${table}" where case_id = ?`);
    for (const id of caseIds) {
      const row = statement.get(id) as Row | undefined;
      if (row) found.set(id, row);
    }
    return found;
  }
  for (let i = 0; i < caseIds.length; i += IN_CHUNK) {
    const ids = caseIds.slice(i, i + IN_CHUNK);
    const query = target.dialect === 'postgres'
      ? CompiledQuery.raw(`select ${select} from "${table}" where case_id = any($1::text[])`, [ids])
      : CompiledQuery.raw(`select ${select} from "${table}" where case_id in (${ids.map(() => '?').join(', ')})`, ids);
    const result = await target.db.executeQuery<Row>(query);
    for (const row of result.rows) found.set(String(row.case_id), row);
  }
  return found;
}
