import { CaseEventEnvelope, docTable, Projection, ProjectionEnv, RowSink } from '../projection';
import { physicalName, Row, TableSpec } from '../table-spec';
import { BatchTarget, readCaseRows, writeRows } from './row-writer';

/** A case held in memory by a rebuild: its working document and its rows not written yet, by table and key. */
interface HeldCase {
  doc: unknown;
  docChanged: boolean;
  /** By table, then by primary key (the last put of a key wins). */
  rows: Map<TableSpec, Map<string, Row>> | null;
}

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
 * One projection's side of a rebuild: folds pages of envelopes case by case in memory and writes
 * each row once, in its final state, when its case falls out of memory (least recently touched,
 * beyond `maxCases`) or at the end. A case fallen out and touched again is read back from the
 * fresh tables (the rebuild alone writes them), so the result is the incremental one whatever
 * the bound; the bound only trades memory against rows written twice.
 *
 * Unlike the live path (applyEnvelopes) nothing is built per page and case: no maps of loaded
 * documents, no per-case row maps merged into the cache; a put goes straight to its case.
 */
export class RebuildFold {
  private readonly held = new Map<string, HeldCase>();
  private readonly specs: Map<string, TableSpec>;
  private readonly docSpec: TableSpec;
  private readonly stateTable: string;
  private current: HeldCase | null = null;
  private readonly sink: RowSink;
  /** Rows written again because their case fell out and came back (a figure for the bench notes). */
  reloaded = 0;

  constructor(readonly projection: Projection, readonly generation: number, private readonly env: ProjectionEnv, private readonly maxCases: number) {
    this.specs = new Map(projection.tables.map((t) => [t.name, t]));
    this.docSpec = docTable(projection);
    this.stateTable = physicalName(projection.stateTable ?? this.docSpec.name, generation);
    this.sink = {
      put: (table, row) => {
        const spec = this.specs.get(table);
        if (!spec) throw new Error(`projection ${projection.name} wrote to unknown table ${table}`);
        const held = this.current;
        if (!held) throw new Error(`projection ${projection.name} wrote outside an event`);
        const key = spec.primaryKey.length === 1 ? String(row[spec.primaryKey[0]]) : spec.primaryKey.map((k) => String(row[k])).join('\u0000');
        const rows = (held.rows ??= new Map());
        let byKey = rows.get(spec);
        if (!byKey) rows.set(spec, (byKey = new Map()));
        byKey.set(key, row);
      },
    };
  }

  /** Folds one page, grouped by case; cases that fell out earlier are read back first (`reader`: committed rows, outside the writes). */
  async apply(reader: BatchTarget, cases: CaseGroups): Promise<void> {
    if (this.reloadNeeded) {
      const missing = [...cases.keys()].filter((caseId) => !this.held.has(caseId));
      const stored = await readCaseRows(reader, this.stateTable, this.projection.stateTable ? '*' : ['case_id', 'doc'], missing);
      for (const [caseId, row] of stored) {
        this.reloaded += 1;
        this.held.set(caseId, { doc: this.projection.stateTable ? row : JSON.parse(String(row.doc)), docChanged: false, rows: null });
      }
    }
    for (const [caseId, events] of cases) {
      let held = this.held.get(caseId);
      if (!held) this.held.set(caseId, (held = { doc: undefined, docChanged: false, rows: null }));
      else {
        // Map keeps insertion order: re-inserted, it is the most recently touched.
        this.held.delete(caseId);
        this.held.set(caseId, held);
      }
      this.current = held;
      for (const e of events) {
        const next = this.projection.apply(held.doc as never, e, this.sink, this.env);
        if (next !== undefined) {
          held.doc = next;
          held.docChanged = true;
        }
      }
    }
    this.current = null;
  }

  /** True once a case has been let go of: from then on a case not in memory may be in the tables. */
  private reloadNeeded = false;

  /**
   * Past half again the bound, lets go of the least recently touched cases down to the bound (so
   * that writes come in few large transactions), or of all with `all`; returns what they held unwritten.
   */
  evict(all = false): Flush {
    const flush: Flush = { rows: new Map(), docs: [], cases: new Set() };
    if (!all && this.held.size <= this.maxCases * 1.5) return flush;
    for (const [caseId, held] of this.held) {
      if (!all && this.held.size <= this.maxCases) break;
      this.held.delete(caseId);
      this.reloadNeeded = true;
      this.collect(flush, caseId, held);
    }
    return flush;
  }

  private collect(flush: Flush, caseId: string, held: HeldCase): void {
    flush.cases.add(caseId);
    if (held.docChanged && !this.projection.stateTable) flush.docs.push({ case_id: caseId, doc: JSON.stringify(held.doc) });
    if (!held.rows) return;
    for (const [spec, byKey] of held.rows) {
      let rows = flush.rows.get(spec);
      if (!rows) flush.rows.set(spec, (rows = []));
      for (const row of byKey.values()) rows.push(row);
    }
  }

  /**
   * Rows go in in key order: a B-tree filled in order touches each page once instead of splitting
   * pages all over the table (case ids like b17 and b170 are far apart in a table's order).
   */
  async write(target: BatchTarget, flush: Flush): Promise<void> {
    for (const [spec, rows] of this.tablesOf(flush)) await writeRows(target, spec, this.generation, inKeyOrder(spec, rows));
  }

  /** The flush's rows by table, documents first; each table can be written on its own (the fresh tables are unseen until the swap). */
  tablesOf(flush: Flush): [TableSpec, Row[]][] {
    return [...(flush.docs.length ? [[this.docSpec, flush.docs] as [TableSpec, Row[]]] : []), ...flush.rows];
  }

  /** The rows of one table of a flush, in key order, into `target`. */
  async writeTable(target: BatchTarget, spec: TableSpec, rows: Row[]): Promise<void> {
    await writeRows(target, spec, this.generation, inKeyOrder(spec, rows));
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
