import Database from 'better-sqlite3';

export interface StoredAnswer {
  fingerprint: string;
  status: number | null;
  body: unknown;
}

/**
 * Remembers the first answer to each (user, Idempotency-Key). A row with no status is a request
 * still being handled: a second request with the same key must not run beside it.
 */
export class IdempotencyStore {
  private readonly statements;

  constructor(db: Database.Database) {
    db.exec(`CREATE TABLE IF NOT EXISTS idempotency (
      scope TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, status INTEGER, body TEXT, created_at TEXT NOT NULL)`);
    this.statements = {
      get: db.prepare('SELECT fingerprint, status, body FROM idempotency WHERE scope = ?'),
      begin: db.prepare('INSERT OR IGNORE INTO idempotency (scope, fingerprint, created_at) VALUES (?, ?, ?)'),
      complete: db.prepare('UPDATE idempotency SET status = ?, body = ? WHERE scope = ?'),
      release: db.prepare('DELETE FROM idempotency WHERE scope = ? AND status IS NULL'),
    };
  }

  find(scope: string): StoredAnswer | undefined {
    const row = this.statements.get.get(scope) as { fingerprint: string; status: number | null; body: string | null } | undefined;
    return row && { fingerprint: row.fingerprint, status: row.status, body: row.body === null ? null : JSON.parse(row.body) };
  }

  /** False when another request holds the key already. */
  begin(scope: string, fingerprint: string, at: Date): boolean {
    return this.statements.begin.run(scope, fingerprint, at.toISOString()).changes === 1;
  }

  complete(scope: string, status: number, body: unknown): void {
    this.statements.complete.run(status, JSON.stringify(body ?? null), scope);
  }

  /** The command failed and wrote nothing: let a retry with the same key run it again. */
  release(scope: string): void {
    this.statements.release.run(scope);
  }
}
