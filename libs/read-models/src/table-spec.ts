import { sql } from 'kysely';
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
export async function upsertRows(db: ReadDb, spec: TableSpec, generation: number, rows: Row[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(spec.columns);
  const others = columns.filter((c) => !spec.primaryKey.includes(c));
  const chunk = Math.max(1, Math.floor(30000 / columns.length));
  const table = physicalName(spec.name, generation);
  for (let i = 0; i < rows.length; i += chunk) {
    const values = rows.slice(i, i + chunk).map((row) => Object.fromEntries(columns.map((c) => [c, row[c] ?? null])));
    await db.insertInto(table).values(values)
      .onConflict((oc) => {
        const target = oc.columns(spec.primaryKey as never);
        return others.length === 0 ? target.doNothing()
          : target.doUpdateSet(Object.fromEntries(others.map((c) => [c, sql.ref(`excluded.${c}`)])) as never);
      })
      .execute();
  }
}
