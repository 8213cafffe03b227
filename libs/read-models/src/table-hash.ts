import { createHash } from 'node:crypto';
import { ReadDatabase } from './database';
import { allTables, Projection } from './projection';
import { CheckpointStore } from './runner/checkpoint-store';
import { physicalName } from './table-spec';

/**
 * A digest of every row of a projection's current tables, in a fixed order, with numbers
 * normalised, so SQLite and PostgreSQL, incremental and rebuilt tables compare equal when equal.
 */
export async function hashProjection(rdb: ReadDatabase, projection: Projection): Promise<string> {
  const state = await new CheckpointStore(rdb).read(projection.name);
  if (!state) throw new Error(`projection ${projection.name} has no state`);
  const hash = createHash('sha256');
  for (const table of allTables(projection)) {
    const columns = Object.keys(table.columns);
    const rows = await rdb.db.selectFrom(physicalName(table.name, state.generation)).select(columns).execute();
    // Sorted here, not in SQL: collations differ between databases.
    const lines = rows.map((row) => JSON.stringify(columns.map((c) => (row[c] === null || row[c] === undefined ? null
      : table.columns[c] === 'text' ? String(row[c]) : Number(row[c]))))).sort();
    hash.update(`#${table.name} ${lines.length}\n`);
    for (const line of lines) hash.update(line).update('\n');
  }
  return hash.digest('hex');
}
