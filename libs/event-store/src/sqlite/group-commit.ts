import Database from 'better-sqlite3';

interface Waiting<T> {
  work: () => T;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for a synchronous SQLite connection with synchronous=FULL. The fsync at COMMIT is
 * what an append costs (about 1 ms here) and better-sqlite3 blocks the event loop for it, so one
 * transaction per append caps a process at ~1,000 appends/s however many requests wait. Appends
 * that arrive within one turn of the event loop are run in one IMMEDIATE transaction, one
 * SAVEPOINT each, and committed with a single fsync. Each caller is still answered only after that
 * commit; a unit of work that throws rolls back to its own savepoint alone and rejects its caller,
 * the others commit. Later units see the rows of earlier ones, exactly as if they ran one after
 * the other, so expected-revision checks and retried appends behave as before.
 */
export class GroupCommit {
  private waiting: Waiting<unknown>[] = [];
  private scheduled: NodeJS.Immediate | null = null;
  private readonly runGroup: Database.Transaction<(group: Waiting<unknown>[]) => { ok: boolean; value: unknown }[]>;
  private readonly runAlone: Database.Transaction<(work: () => unknown) => unknown>;
  /** Transactions committed so far, and the units of work they held. */
  readonly counts = { commits: 0, appends: 0 };

  constructor(db: Database.Database) {
    this.runAlone = db.transaction((work: () => unknown) => work());
    // called inside runGroup's transaction, a better-sqlite3 transaction is a SAVEPOINT: a throw undoes that unit only
    const savepoint = db.transaction((work: () => unknown) => work());
    this.runGroup = db.transaction((group: Waiting<unknown>[]) => group.map(({ work }) => {
      try {
        return { ok: true, value: savepoint(work) };
      } catch (error) {
        // Some errors (disk full, I/O) make SQLite undo the whole transaction, not the savepoint:
        // the units before are gone and the ones after would each commit alone, so the group fails.
        if (!db.inTransaction) throw error;
        return { ok: false, value: error };
      }
    }));
  }

  /** Runs `work` inside the next group's transaction; settles once that transaction is committed. */
  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ work, resolve, reject } as Waiting<unknown>);
      // setImmediate, not a microtask: every request whose body arrived in this poll phase reaches
      // its append first, so they share the commit.
      this.scheduled ??= setImmediate(() => this.flush());
    });
  }

  /** Commits what is waiting now (also called before the connection closes). */
  flush(): number {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = null;
    const group = this.waiting;
    this.waiting = [];
    if (group.length === 0) return 0;
    if (group.length === 1) return this.flushAlone(group[0]);
    let outcomes: { ok: boolean; value: unknown }[];
    try {
      outcomes = this.runGroup.immediate(group);
    } catch (error) {
      // BEGIN or COMMIT failed (disk full, I/O error): nothing of the group was written
      for (const { reject } of group) reject(error);
      return 0;
    }
    this.counts.commits += 1;
    this.counts.appends += group.length;
    group.forEach(({ resolve, reject }, i) => (outcomes[i].ok ? resolve(outcomes[i].value) : reject(outcomes[i].value)));
    return group.length;
  }

  /** A group of one needs no savepoint (two statements less per append): its transaction is its own. */
  private flushAlone({ work, resolve, reject }: Waiting<unknown>): number {
    let value: unknown;
    try {
      value = this.runAlone.immediate(work);
    } catch (error) {
      reject(error);
      return 0;
    }
    this.counts.commits += 1;
    this.counts.appends += 1;
    resolve(value);
    return 1;
  }
}
