import Database from 'better-sqlite3';
import { IdempotencyStore, StoredAnswer } from './idempotency.store';

/** Keys in the app-state SQLite file: right for the embedded single-process API. */
export class SqliteIdempotencyStore extends IdempotencyStore {
  private readonly statements;

  constructor(db: Database.Database) {
    super();
    db.exec(`CREATE TABLE IF NOT EXISTS idempotency (
      scope TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, status INTEGER, body TEXT, created_at TEXT NOT NULL)`);
    this.statements = {
      get: db.prepare('SELECT fingerprint, status, body FROM idempotency WHERE scope = ?'),
      begin: db.prepare('INSERT OR IGNORE INTO idempotency (scope, fingerprint, created_at) VALUES (?, ?, ?)'),
      complete: db.prepare('UPDATE idempotency SET status = ?, body = ? WHERE scope = ?'),
      release: db.prepare('DELETE FROM idempotency WHERE scope = ? AND status IS NULL'),
    };
  }

  async find(scope: string): Promise<StoredAnswer | undefined> {
    const row = this.statements.get.get(scope) as { fingerprint: string; status: number | null; body: string | null } | undefined;
    return row && { fingerprint: row.fingerprint, status: row.status, body: row.body === null ? null : JSON.parse(row.body) };
  }

  async begin(scope: string, fingerprint: string, at: Date): Promise<boolean> {
    return this.statements.begin.run(scope, fingerprint, at.toISOString()).changes === 1;
  }

  async complete(scope: string, status: number, body: unknown): Promise<void> {
    this.statements.complete.run(status, JSON.stringify(body ?? null), scope);
  }

  async release(scope: string): Promise<void> {
    this.statements.release.run(scope);
  }
}
