import Database from 'better-sqlite3';
import { IdempotencyStore, StoredAnswer } from './idempotency.store';

export interface SqliteIdempotencyTimes {
  /** How long a finished answer is replayed. */
  retainMs: number;
  /** How long a claim without an answer holds its key (its process may have died mid-request). */
  inFlightMs: number;
}

/**
 * Keys in the app-state SQLite file: right for the embedded single-process API. Expiry runs on
 * wall-clock time, as Redis's does, not on the injected clock that stamps events.
 */
export class SqliteIdempotencyStore extends IdempotencyStore {
  private readonly statements;

  constructor(db: Database.Database, private readonly times: SqliteIdempotencyTimes) {
    super();
    // New files get every column at once; the check-and-alter for older files runs under the write
    // lock, as two replicas starting together on one file would otherwise both add the column.
    db.transaction(() => {
      db.exec(`CREATE TABLE IF NOT EXISTS idempotency (
        scope TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, status INTEGER, body TEXT, created_at TEXT NOT NULL,
        expires_ms INTEGER NOT NULL)`);
      const columns = db.prepare('PRAGMA table_info(idempotency)').all() as { name: string }[];
      if (!columns.some((c) => c.name === 'expires_ms')) {
        // Files written before keys expired: their rows keep the retention from now on.
        db.exec(`ALTER TABLE idempotency ADD COLUMN expires_ms INTEGER NOT NULL DEFAULT ${Date.now() + times.retainMs}`);
      }
    }).immediate();
    db.exec('CREATE INDEX IF NOT EXISTS idempotency_expiry ON idempotency (expires_ms)');
    this.statements = {
      get: db.prepare('SELECT fingerprint, status, body FROM idempotency WHERE scope = ? AND expires_ms > ?'),
      purge: db.prepare('DELETE FROM idempotency WHERE expires_ms <= ?'),
      begin: db.prepare('INSERT OR IGNORE INTO idempotency (scope, fingerprint, created_at, expires_ms) VALUES (?, ?, ?, ?)'),
      complete: db.prepare('UPDATE idempotency SET status = ?, body = ?, expires_ms = ? WHERE scope = ? AND status IS NULL'),
      release: db.prepare('DELETE FROM idempotency WHERE scope = ? AND status IS NULL'),
    };
  }

  async find(scope: string): Promise<StoredAnswer | undefined> {
    const row = this.statements.get.get(scope, Date.now()) as { fingerprint: string; status: number | null; body: string | null } | undefined;
    return row && { fingerprint: row.fingerprint, status: row.status, body: row.body === null ? null : JSON.parse(row.body) };
  }

  async begin(scope: string, fingerprint: string, at: Date): Promise<boolean> {
    const now = Date.now();
    this.statements.purge.run(now);
    return this.statements.begin.run(scope, fingerprint, at.toISOString(), now + this.times.inFlightMs).changes === 1;
  }

  async complete(scope: string, status: number, body: unknown): Promise<void> {
    this.statements.complete.run(status, JSON.stringify(body ?? null), Date.now() + this.times.retainMs, scope);
  }

  async release(scope: string): Promise<void> {
    this.statements.release.run(scope);
  }
}
