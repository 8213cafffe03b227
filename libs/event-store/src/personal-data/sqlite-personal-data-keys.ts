import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { CaseKey, KeyMaker, PersonalDataKeys } from './personal-data-keys.port';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS case_keys (
  case_id    TEXT PRIMARY KEY,
  key        BLOB,
  created_at TEXT NOT NULL,
  erased_at  TEXT
)`;

export const randomKeyMaker: KeyMaker = () => randomBytes(32);

interface KeyRow { key: Buffer | null; erased_at: string | null }

/**
 * Data keys in their own SQLite file (DATA_DIR/personal-data-keys.sqlite), backed up with the log.
 * secure_delete zeroes a destroyed key's bytes in the page, and the WAL is checkpointed and
 * truncated at once, so no copy of the key stays in the file, its free pages or its -wal.
 * synchronous=FULL: a key is on disk before the event that needs it is appended (keys asked for
 * together share one transaction).
 */
export class SqlitePersonalDataKeys implements PersonalDataKeys {
  private readonly db: Database.Database;
  private readonly statements;
  private waiting: { caseId: string; resolve: (key: CaseKey) => void; reject: (error: unknown) => void }[] = [];

  constructor(file: string, private readonly makeKey: KeyMaker = randomKeyMaker) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('secure_delete = ON');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    this.statements = {
      get: this.db.prepare<[string], KeyRow>('SELECT key, erased_at FROM case_keys WHERE case_id = ?'),
      insert: this.db.prepare('INSERT INTO case_keys (case_id, key, created_at) VALUES (?, ?, ?) ON CONFLICT (case_id) DO NOTHING'),
      erase: this.db.prepare(`INSERT INTO case_keys (case_id, key, created_at, erased_at) VALUES (?, NULL, ?, ?)
        ON CONFLICT (case_id) DO UPDATE SET key = NULL, erased_at = coalesce(case_keys.erased_at, excluded.erased_at)`),
    };
  }

  async lookup(caseId: string): Promise<CaseKey> {
    return this.lookupNow(caseId);
  }

  async obtain(caseId: string): Promise<CaseKey> {
    const found = this.lookupNow(caseId);
    if (found.state !== 'none') return found;
    // Keys asked for in the same turn of the event loop (concurrent intakes) are written in one
    // transaction: one fsync for all of them instead of one each, which held the loop per intake.
    return new Promise<CaseKey>((resolve, reject) => {
      this.waiting.push({ caseId, resolve, reject });
      if (this.waiting.length === 1) setImmediate(() => this.makeWaitingKeys());
    });
  }

  private makeWaitingKeys(): void {
    const batch = this.waiting;
    this.waiting = [];
    try {
      const now = new Date().toISOString();
      // Two processes may make one at once: the first insert wins and both read it back.
      this.db.transaction(() => { for (const { caseId } of batch) this.statements.insert.run(caseId, this.makeKey(caseId), now); })();
    } catch (error) {
      for (const { reject } of batch) reject(error);
      return;
    }
    for (const { caseId, resolve } of batch) resolve(this.lookupNow(caseId));
  }

  async destroy(caseId: string, at: string): Promise<void> {
    this.statements.erase.run(caseId, at, at);
    // The old page (with the key) may still sit in the -wal: copy the zeroed one home and empty the WAL.
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private lookupNow(caseId: string): CaseKey {
    const row = this.statements.get.get(caseId);
    if (!row) return { state: 'none' };
    if (row.erased_at !== null || row.key === null) return { state: 'erased', erasedAt: row.erased_at ?? '' };
    return { state: 'active', key: row.key };
  }
}
