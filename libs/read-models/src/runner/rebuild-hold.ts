import { CaseGroups, Flush, HeldCase, heldCase, RebuildFold } from './rebuild-fold';
import { BatchTarget } from './row-writer';

/**
 * The cases a rebuild holds in memory, each with one slot per projection, least recently touched
 * first. One map for all the projections (they all see every case event, so they would hold the
 * same cases in the same order): a case touched by a page is looked up and moved to the end once,
 * not once per projection.
 */
export class HeldCases {
  private readonly cases = new Map<string, HeldCase[]>();
  /**
   * The cases let go of (their rows are in the tables): only these are read back when touched again.
   * Most cases a page brings are new, and looking each one up in the tables for nothing took ~7% of a
   * 1,000,000-event rebuild (95,000 look-ups for ~20,000 cases that came back).
   */
  private written: Set<string> | 'all' = new Set<string>();

  /** `rememberedWritten`: past this many cases let go of, every case not held is read back (bounded memory: ~100 B per id). */
  constructor(private readonly folds: RebuildFold[], private readonly maxCases: number, private readonly rememberedWritten = 500_000) {}

  /** Folds one page, grouped by case, into every projection; cases that fell out earlier are read back first. */
  async apply(reader: BatchTarget, groups: CaseGroups): Promise<void> {
    const { written } = this;
    if (written === 'all') await this.readBack(reader, [...groups.keys()].filter((caseId) => !this.cases.has(caseId)));
    else if (written.size) await this.readBack(reader, [...groups.keys()].filter((caseId) => written.has(caseId) && !this.cases.has(caseId)));
    const { cases, folds } = this;
    // forEach, not for...of: no [key, value] array per case.
    groups.forEach((events, caseId) => {
      let slots = cases.get(caseId);
      if (!slots) slots = folds.map(() => heldCase());
      // Map keeps insertion order: re-inserted, it is the most recently touched.
      else cases.delete(caseId);
      cases.set(caseId, slots);
      for (let i = 0; i < folds.length; i++) folds[i].fold(slots[i], events);
    });
  }

  private async readBack(reader: BatchTarget, missing: string[]): Promise<void> {
    if (missing.length === 0) return;
    const stored: Map<string, HeldCase>[] = [];
    for (const fold of this.folds) stored.push(await fold.readBack(reader, missing));
    for (const caseId of missing) this.cases.set(caseId, stored.map((byCase) => byCase.get(caseId) ?? heldCase()));
  }

  /**
   * Past half again the bound, lets go of the least recently touched cases down to the bound (so
   * that writes come in few large transactions), or of all with `all`; returns what they held
   * unwritten, one flush per projection, each by case id (so each table's rows come in key order;
   * see RebuildFold.write).
   */
  evict(all = false): Flush[] {
    const flushes: Flush[] = this.folds.map(() => ({ rows: new Map(), docs: [], cases: new Set() }));
    if (!all && this.cases.size <= this.maxCases * 1.5) return flushes;
    const out: [string, HeldCase[]][] = [];
    for (const [caseId, slots] of this.cases) {
      if (!all && this.cases.size <= this.maxCases) break;
      this.cases.delete(caseId);
      this.rememberWritten(caseId);
      out.push([caseId, slots]);
    }
    out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [caseId, slots] of out) {
      for (let i = 0; i < this.folds.length; i++) this.folds[i].collect(flushes[i], caseId, slots[i]);
    }
    return flushes;
  }

  private rememberWritten(caseId: string): void {
    if (this.written === 'all') return;
    this.written.add(caseId);
    if (this.written.size > this.rememberedWritten) this.written = 'all';
  }
}
