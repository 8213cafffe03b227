import { RecordedEvent } from '@civicloop/event-store';
import { Dialect, ReadDb } from '../database';
import { docTable, Projection, ProjectionEnv, toEnvelope } from '../projection';
import { physicalName, Row, TableSpec, upsertRows } from '../table-spec';

const IN_CHUNK = 500;

/**
 * Applies a batch of events to one generation of a projection's tables inside the caller's
 * transaction: loads the working documents of the cases touched, folds in memory, writes each
 * changed row once.
 */
export async function applyBatch(
  db: ReadDb, projection: Projection, generation: number, events: RecordedEvent[], env: ProjectionEnv, dialect?: Dialect,
): Promise<void> {
  const envelopes = events.map(toEnvelope).filter((e) => e !== null);
  if (envelopes.length === 0) return;
  const docs = docTable(projection);
  const state = projection.stateTable;
  const caseIds = [...new Set(envelopes.map((e) => e.caseId))];
  const loaded = new Map<string, unknown>();
  for (let i = 0; i < caseIds.length; i += IN_CHUNK) {
    const ids = caseIds.slice(i, i + IN_CHUNK);
    if (state) {
      const rows = await db.selectFrom(physicalName(state, generation)).selectAll().where('case_id', 'in', ids).execute();
      for (const row of rows) loaded.set(row.case_id as string, row);
    } else {
      const rows = await db.selectFrom(physicalName(docs.name, generation)).select(['case_id', 'doc']).where('case_id', 'in', ids).execute();
      for (const row of rows) loaded.set(row.case_id as string, JSON.parse(row.doc as string));
    }
  }
  const specs = new Map<string, TableSpec>(projection.tables.map((t) => [t.name, t]));
  const pending = new Map<string, Map<string, Row>>();
  const out = {
    put(table: string, row: Row) {
      const spec = specs.get(table);
      if (!spec) throw new Error(`projection ${projection.name} wrote to unknown table ${table}`);
      let rows = pending.get(table);
      if (!rows) pending.set(table, (rows = new Map()));
      rows.set(spec.primaryKey.map((k) => String(row[k])).join('\u0000'), { ...row });
    },
  };
  const changed = new Set<string>();
  for (const event of envelopes) {
    const next = projection.apply(loaded.get(event.caseId) as never, event, out, env);
    if (next !== undefined) {
      loaded.set(event.caseId, next);
      changed.add(event.caseId);
    }
  }
  if (!state) {
    await upsertRows(db, docs, generation, [...changed].map((id) => ({ case_id: id, doc: JSON.stringify(loaded.get(id)) })), dialect);
  }
  for (const [table, rows] of pending) await upsertRows(db, specs.get(table)!, generation, [...rows.values()], dialect);
}
