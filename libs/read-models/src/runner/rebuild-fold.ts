import { CaseEventEnvelope, docTable, Projection, ProjectionEnv, RowSink } from '../projection';
import { physicalName, Row, TableSpec } from '../table-spec';
import { BatchTarget, readCaseRows, writeRows } from './row-writer';

/**
 * A case held in memory by a rebuild: its working document and its rows not written yet, one per
 * table and key (the last put of a key wins), in the order first put; `tables[i]` is the table of
 * `rows[i]`. Two short arrays, not maps by table and key: a case puts a handful of rows, mostly the
 * same objects again, and thousands of maps per page were a good part of what the collector chased.
 */
export interface HeldCase {
  doc: unknown;
  docChanged: boolean;
  tables: TableSpec[] | null;
  rows: Row[] | null;
}

/** Equal primary keys, compared as the text they are keyed by (a number and its digits are the same key). */
function sameKey(keys: string[], a: Row, b: Row): boolean {
  for (const k of keys) {
    const x = a[k];
    const y = b[k];
    if (x !== y && (typeof x === typeof y || String(x) !== String(y))) return false;
  }
  return true;
}

export const heldCase = (doc?: unknown): HeldCase => ({ doc, docChanged: false, tables: null, rows: null });

/**
 * A page's envelopes by case, each case's in log order. A projection folds each case on its own
 * (every row it puts is keyed by its case), so the order between cases does not change a row.
 */
export type CaseGroups = Map<string, CaseEventEnvelope[]>;

export function byCase(envelopes: CaseEventEnvelope[]): CaseGroups {
  const cases: CaseGroups = new Map();
  for (const e of envelopes) {
    const events = cases.get(e.caseId);
    if (events) events.push(e);
    else cases.set(e.caseId, [e]);
  }
  return cases;
}

/** What a flush writes: rows by table (the last put of a key wins) and documents, and the cases they came from. */
export interface Flush {
  rows: Map<TableSpec, Row[]>;
  docs: Row[];
  cases: Set<string>;
}

/**
 * One projection's side of a rebuild: folds a case's envelopes into what it holds of that case in
 * memory (HeldCases decides which cases are held) and writes each row once, in its final state,
 * when its case falls out of memory or at the end. A case fallen out and touched again is read
 * back from the fresh tables (the rebuild alone writes them), so the result is the incremental
 * one whatever the bound; the bound only trades memory against rows written twice.
 *
 * Unlike the live path (applyEnvelopes) nothing is built per page and case: no maps of loaded
 * documents, no per-case row maps merged into the cache; a put goes straight to its case.
 */
export class RebuildFold {
  private readonly specs: Map<string, TableSpec>;
  private readonly docSpec: TableSpec;
  private readonly stateTable: string;
  private current: HeldCase | null = null;
  private readonly sink: RowSink;
  /** Rows written again because their case fell out and came back (a figure for the bench notes). */
  reloaded = 0;

  constructor(readonly projection: Projection, readonly generation: number, private readonly env: ProjectionEnv) {
    this.specs = new Map(projection.tables.map((t) => [t.name, t]));
    this.docSpec = docTable(projection);
    this.stateTable = physicalName(projection.stateTable ?? this.docSpec.name, generation);
    this.sink = {
      put: (table, row) => {
        const spec = this.specs.get(table);
        if (!spec) throw new Error(`projection ${projection.name} wrote to unknown table ${table}`);
        const held = this.current;
        if (!held) throw new Error(`projection ${projection.name} wrote outside an event`);
        const tables = (held.tables ??= []);
        const rows = (held.rows ??= []);
        // Latest first: a put is mostly the same row again (changed in place) or the one before.
        for (let i = rows.length - 1; i >= 0; i--) {
          if (tables[i] === spec && (rows[i] === row || sameKey(spec.primaryKey, rows[i], row))) {
            rows[i] = row;
            return;
          }
        }
        tables.push(spec);
        rows.push(row);
      },
    };
  }

  /** What this projection stored of the cases given, read back (`reader`: committed rows, outside the writes). */
  async readBack(reader: BatchTarget, caseIds: string[]): Promise<Map<string, HeldCase>> {
    const stored = await readCaseRows(reader, this.stateTable, this.projection.stateTable ? '*' : ['case_id', 'doc'], caseIds);
    const held = new Map<string, HeldCase>();
    for (const [caseId, row] of stored) held.set(caseId, heldCase(this.projection.stateTable ? row : JSON.parse(String(row.doc))));
    this.reloaded += held.size;
    return held;
  }

  /** Folds one case's envelopes of a page, in log order, into what this projection holds of it. */
  fold(held: HeldCase, events: CaseEventEnvelope[]): void {
    this.current = held;
    for (const e of events) {
      const next = this.projection.apply(held.doc as never, e, this.sink, this.env);
      if (next !== undefined) {
        held.doc = next;
        held.docChanged = true;
      }
    }
    this.current = null;
  }

  /** Adds what a case let go of held unwritten to a flush. */
  collect(flush: Flush, caseId: string, held: HeldCase): void {
    flush.cases.add(caseId);
    if (held.docChanged && !this.projection.stateTable) flush.docs.push({ case_id: caseId, doc: JSON.stringify(held.doc) });
    const { tables, rows } = held;
    if (!tables || !rows) return;
    for (let i = 0; i < rows.length; i++) {
      let into = flush.rows.get(tables[i]);
      if (!into) flush.rows.set(tables[i], (into = []));
      into.push(rows[i]);
    }
  }

  /**
   * Rows go in in key order: a B-tree filled in order touches each page once instead of splitting
   * pages all over the table (case ids like b17 and b170 are far apart in a table's order). A
   * flush's rows come by case id already (see HeldCases.evict), which for a key starting with the
   * case id is all the order that matters (a case's rows share a page); any other key is sorted here.
   */
  async write(target: BatchTarget, flush: Flush): Promise<void> {
    for (const [spec, rows] of this.tablesOf(flush)) await this.writeTable(target, spec, rows);
  }

  /** The flush's rows by table, documents first; each table can be written on its own (the fresh tables are unseen until the swap). */
  tablesOf(flush: Flush): [TableSpec, Row[]][] {
    return [...(flush.docs.length ? [[this.docSpec, flush.docs] as [TableSpec, Row[]]] : []), ...flush.rows];
  }

  /** The rows of one table of a flush, in key order, into `target`. */
  async writeTable(target: BatchTarget, spec: TableSpec, rows: Row[]): Promise<void> {
    await writeRows(target, spec, this.generation, spec.primaryKey[0] === 'case_id' ? rows : inKeyOrder(spec, rows));
  }
}

export const flushSize = (flush: Flush): number => flush.docs.length + [...flush.rows.values()].reduce((n, rows) => n + rows.length, 0);

/** Sorted by primary key as SQLite compares it (text by bytes, which for our ids is code units; numbers as numbers). */
function inKeyOrder(spec: TableSpec, rows: Row[]): Row[] {
  const keys = spec.primaryKey;
  return rows.sort((a, b) => {
    for (const k of keys) {
      const x = a[k];
      const y = b[k];
      if (x === y) continue;
      if (x === null) return -1;
      if (y === null) return 1;
      return x < y ? -1 : 1;
    }
    return 0;
  });
}
