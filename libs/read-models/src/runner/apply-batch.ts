import { RecordedEvent } from '@civicloop/event-store';
import { Dialect, ReadDb } from '../database';
import { CaseEventEnvelope, docTable, Projection, ProjectionEnv, toEnvelope } from '../projection';
import { dialectOf, physicalName, Row, TableSpec } from '../table-spec';
import { DocCache, mergeRows, PendingRows, Unwritten } from './doc-cache';
import { BatchTarget, readCaseRows, writeRows } from './row-writer';

/**
 * Applies a batch of events to one generation of a projection's tables inside the caller's
 * transaction: loads the working documents of the cases touched, folds in memory, writes each
 * changed row once.
 */
export async function applyBatch(
  db: ReadDb, projection: Projection, generation: number, events: RecordedEvent[], env: ProjectionEnv, dialect?: Dialect,
): Promise<void> {
  const envelopes = events.map(toEnvelope).filter((e) => e !== null);
  await applyEnvelopes({ db, dialect: dialect ?? dialectOf(db) }, projection, generation, envelopes, env);
}

/**
 * The same for envelopes already made (a rebuild makes them once per page for every projection).
 * With a cache, documents of cases seen lately come from memory and only the others are read;
 * with deferred writes, what a batch changed stays with its case in the cache (see DocCache).
 */
export async function applyEnvelopes(
  target: BatchTarget, projection: Projection, generation: number, envelopes: CaseEventEnvelope[], env: ProjectionEnv, cache?: DocCache,
): Promise<void> {
  if (envelopes.length === 0) return;
  const state = projection.stateTable;
  const loaded = new Map<string, unknown>();
  const missing: string[] = [];
  for (const e of envelopes) {
    if (loaded.has(e.caseId)) continue;
    const doc = cache?.get(e.caseId);
    if (doc === undefined) missing.push(e.caseId);
    loaded.set(e.caseId, doc);
  }
  const stored = await readCaseRows(target, physicalName(state ?? docTable(projection).name, generation), state ? '*' : ['case_id', 'doc'], [...new Set(missing)]);
  for (const [caseId, row] of stored) loaded.set(caseId, state ? row : JSON.parse(String(row.doc)));

  const specs = new Map<string, TableSpec>(projection.tables.map((t) => [t.name, t]));
  const deferred = cache?.deferWrites ?? false;
  const batchRows: PendingRows = new Map();
  const caseRows = new Map<string, PendingRows>();
  let current = batchRows;
  const out = {
    put(table: string, row: Row) {
      const spec = specs.get(table);
      if (!spec) throw new Error(`projection ${projection.name} wrote to unknown table ${table}`);
      let rows = current.get(spec);
      if (!rows) current.set(spec, (rows = new Map()));
      const key = spec.primaryKey.length === 1 ? String(row[spec.primaryKey[0]]) : spec.primaryKey.map((k) => String(row[k])).join('\u0000');
      // Not copied (a board row per event is 56 columns): a row changed after its put is put again (RowSink), and the batch writes its last state.
      rows.set(key, row);
    },
  };
  const changed = new Set<string>();
  for (const event of envelopes) {
    if (deferred) {
      current = caseRows.get(event.caseId) ?? new Map();
      caseRows.set(event.caseId, current);
    }
    const next = projection.apply(loaded.get(event.caseId) as never, event, out, env);
    if (next !== undefined) {
      loaded.set(event.caseId, next);
      changed.add(event.caseId);
    }
  }

  const unwritten: Unwritten[] = [];
  if (cache) {
    for (const [caseId, doc] of loaded) {
      if (doc !== undefined) cache.set(caseId, doc, changed.has(caseId), caseRows.get(caseId));
      // Rows of a case without a document (none of the projections do this today) are not held back.
      else if (caseRows.get(caseId)?.size) unwritten.push({ caseId, rows: caseRows.get(caseId)! });
    }
    unwritten.push(...cache.evict());
  }
  if (!deferred) unwritten.push({ caseId: '', rows: batchRows }, ...[...changed].map((caseId) => ({ caseId, doc: loaded.get(caseId), rows: new Map() })));
  await writeUnwritten(target, projection, generation, unwritten);
}

/** Writes documents and rows held back: each table once, documents as JSON (unless the row is the document). */
export async function writeUnwritten(target: BatchTarget, projection: Projection, generation: number, unwritten: Unwritten[]): Promise<void> {
  const rows: PendingRows = new Map();
  const docs: Row[] = [];
  for (const item of unwritten) {
    mergeRows(rows, item.rows);
    if (item.doc !== undefined && !projection.stateTable) docs.push({ case_id: item.caseId, doc: JSON.stringify(item.doc) });
  }
  if (docs.length) await writeRows(target, docTable(projection), generation, docs);
  for (const [spec, byKey] of rows) await writeRows(target, spec, generation, [...byKey.values()]);
}
