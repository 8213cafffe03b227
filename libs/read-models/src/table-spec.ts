import { PostgresAdapter, sql } from 'kysely';
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

/** `withIndexes: false` leaves the secondary indexes to createIndexes (a rebuild adds them once, after its last row). */
export async function createTable(db: ReadDb, dialect: Dialect, spec: TableSpec, generation: number, { withIndexes = true } = {}): Promise<void> {
  const name = physicalName(spec.name, generation);
  let builder = db.schema.createTable(name).ifNotExists();
  for (const [column, type] of Object.entries(spec.columns)) {
    builder = builder.addColumn(column, columnType(type, dialect), (c) => (spec.primaryKey.includes(column) ? c.notNull() : c));
  }
  await builder.addPrimaryKeyConstraint(`${name}_pk`, spec.primaryKey as never).execute();
  if (withIndexes) await createIndexes(db, spec, generation);
}

export async function createIndexes(db: ReadDb, spec: TableSpec, generation: number): Promise<void> {
  const name = physicalName(spec.name, generation);
  for (const [i, columns] of (spec.indexes ?? []).entries()) {
    await db.schema.createIndex(`${name}_i${i}`).ifNotExists().on(name).columns(columns).execute();
  }
}

/** The generations of a table the database holds (every `<name>_g<n>`, live, fresh or left by a rebuild that died). */
export async function generationsOf(db: ReadDb, spec: TableSpec): Promise<number[]> {
  const names = dialectOf(db) === 'postgres'
    ? await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema()`.execute(db)
    : await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(db);
  const prefix = `${spec.name}_g`;
  return names.rows.map((row) => row.name)
    .filter((name) => name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length)))
    .map((name) => Number(name.slice(prefix.length)));
}

export async function dropTable(db: ReadDb, spec: TableSpec, generation: number): Promise<void> {
  await db.schema.dropTable(physicalName(spec.name, generation)).ifExists().execute();
}

/** Rows are plain records of the spec's columns; unknown keys are a programming error. */
export type Row = Record<string, string | number | null>;

/** The dialect behind a Kysely instance (or transaction) handed in without one. */
export function dialectOf(db: ReadDb): Dialect {
  const adapter = db.getExecutor().adapter;
  return adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}
