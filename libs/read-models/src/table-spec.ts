import { CompiledQuery, PostgresAdapter, sql } from 'kysely';
import { Dialect, ReadDb } from './database';

/** int: counts and flags; num: milliseconds, positions and rates (a double in both dialects). */
export type ColumnType = 'text' | 'int' | 'num';

export interface TableSpec {
  /** Logical name; the physical table is `${name}_g${generation}`. */
  name: string;
  columns: Record<string, ColumnType>;
  primaryKey: string[];
  indexes?: string[][];
}

export const physicalName = (table: string, generation: number) => `${table}_g${generation}`;

function columnType(type: ColumnType, dialect: Dialect) {
  if (type === 'text') return sql`text`;
  if (type === 'int') return dialect === 'postgres' ? sql`bigint` : sql`integer`;
  return dialect === 'postgres' ? sql`double precision` : sql`real`;
}

export async function createTable(db: ReadDb, dialect: Dialect, spec: TableSpec, generation: number): Promise<void> {
  const name = physicalName(spec.name, generation);
  let builder = db.schema.createTable(name).ifNotExists();
  for (const [column, type] of Object.entries(spec.columns)) {
    builder = builder.addColumn(column, columnType(type, dialect), (c) => (spec.primaryKey.includes(column) ? c.notNull() : c));
  }
  await builder.addPrimaryKeyConstraint(`${name}_pk`, spec.primaryKey as never).execute();
  for (const [i, columns] of (spec.indexes ?? []).entries()) {
    await db.schema.createIndex(`${name}_i${i}`).ifNotExists().on(name).columns(columns).execute();
  }
}

export async function dropTable(db: ReadDb, spec: TableSpec, generation: number): Promise<void> {
  await db.schema.dropTable(physicalName(spec.name, generation)).ifExists().execute();
}

/** Rows are plain records of the spec's columns; unknown keys are a programming error. */
export type Row = Record<string, string | number | null>;

/** Insert-or-replace by primary key, in chunks small enough for either dialect's parameter limit. */
export async function upsertRows(db: ReadDb, spec: TableSpec, generation: number, rows: Row[], dialect?: Dialect): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(spec.columns);
  const others = columns.filter((c) => !spec.primaryKey.includes(c));
  const chunk = Math.max(1, Math.floor(30000 / columns.length));
  const table = physicalName(spec.name, generation);
  const postgres = (dialect ?? dialectOf(db)) === 'postgres';
  // Built by hand rather than through the query builder: a rebuild writes millions of values and
  // the builder's per-value bookkeeping would dominate. Identifiers come from our table specs only.
  const head = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values `;
  const tail = ` on conflict (${spec.primaryKey.map((c) => `"${c}"`).join(', ')}) do ${others.length === 0 ? 'nothing'
    : `update set ${others.map((c) => `"${c}" = excluded."${c}"`).join(', ')}`}`;
  for (let i = 0; i < rows.length; i += chunk) {
    const slice = rows.slice(i, i + chunk);
    const parameters: unknown[] = [];
    const tuples = slice.map((row) => `(${columns.map((c) => {
      parameters.push(row[c] ?? null);
      return postgres ? `$${parameters.length}` : '?';
    }).join(', ')})`);
    await db.executeQuery(CompiledQuery.raw(head + tuples.join(', ') + tail, parameters));
  }
}

function dialectOf(db: ReadDb): Dialect {
  const adapter = db.getExecutor().adapter;
  return adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}
