import { Row, TableSpec } from '../table-spec';

/** Rows waiting to be written, by table and primary key: the last put of a key wins. */
export type PendingRows = Map<TableSpec, Map<string, Row>>;

/** What a cached case holds that is not in the tables yet (deferred writes only). */
export interface Unwritten {
  caseId: string;
  /** The working document, when it changed since it was last written. */
  doc?: unknown;
  rows: PendingRows;
}

interface Entry {
  doc: unknown;
  docChanged: boolean;
  rows: PendingRows | null;
}

export function mergeRows(into: PendingRows, from: PendingRows): void {
  for (const [spec, rows] of from) {
    const target = into.get(spec);
    if (!target) into.set(spec, rows);
    else for (const [key, row] of rows) target.set(key, row);
  }
}

/**
 * The working documents of one projection kept in memory between batches, so that a case's next
 * event does not read back (and parse) what the last batch wrote. Only whoever alone writes these
 * tables may keep one: a rebuild (its fresh generation is its own), or a runner for as long as it
 * follows under its lease (a failed commit ends the follow and drops the cache with it).
 *
 * Bounded, least recently used first out: open cases are touched again soon, closed ones fall out,
 * so memory follows the number of cases in flight, not the length of the log. When writes are
 * deferred (a rebuild, which does not resume half-way) a case's changed document and rows stay
 * here until the case falls out or the rebuild ends: each row is written once, in its final state,
 * however many batches touched it.
 */
export class DocCache {
  private readonly entries = new Map<string, Entry>();

  constructor(readonly maxDocs = 20_000, readonly deferWrites = false) {}

  get size(): number {
    return this.entries.size;
  }

  get(caseId: string): unknown {
    const entry = this.entries.get(caseId);
    if (!entry) return undefined;
    // Map keeps insertion order: re-inserting makes it the most recently used.
    this.entries.delete(caseId);
    this.entries.set(caseId, entry);
    return entry.doc;
  }

  /** Stores a case's document after a batch, with the rows it put when writes are deferred. */
  set(caseId: string, doc: unknown, changed: boolean, rows?: PendingRows): void {
    const entry = this.entries.get(caseId);
    this.entries.delete(caseId);
    const docChanged = this.deferWrites && (changed || Boolean(entry?.docChanged));
    let pending = entry?.rows ?? null;
    if (this.deferWrites && rows) {
      if (pending) mergeRows(pending, rows);
      else pending = rows;
    }
    this.entries.set(caseId, { doc, docChanged, rows: pending });
  }

  /** Drops the least recently used beyond the bound; returns what they held unwritten. */
  evict(): Unwritten[] {
    const out: Unwritten[] = [];
    for (const [caseId, entry] of this.entries) {
      if (this.entries.size <= this.maxDocs) break;
      this.entries.delete(caseId);
      if (entry.docChanged || entry.rows) out.push(unwritten(caseId, entry));
    }
    return out;
  }

  /** Everything not written yet (deferred writes), to be written now; the documents stay cached. */
  takeUnwritten(): Unwritten[] {
    const out: Unwritten[] = [];
    for (const [caseId, entry] of this.entries) {
      if (!entry.docChanged && !entry.rows) continue;
      out.push(unwritten(caseId, entry));
      entry.docChanged = false;
      entry.rows = null;
    }
    return out;
  }
}

const unwritten = (caseId: string, entry: Entry): Unwritten =>
  ({ caseId, ...(entry.docChanged && { doc: entry.doc }), rows: entry.rows ?? new Map() });
