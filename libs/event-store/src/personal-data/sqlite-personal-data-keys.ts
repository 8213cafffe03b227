import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { caseKeyOf, CaseKeyRow, DataKey, KEY_POOL_BATCH, keyOf, KeyRow, newDataKey, randomKeyMaker } from './data-key';
import { CaseKey, KeyMaker, PersonalDataKeys } from './personal-data-keys.port';

/**
 * case_keys: each case's key (a claim on a data key by id; before key ids, the key itself) or its
 * tombstone. data_keys: the keys by id, made ahead in batches.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS case_keys (
  case_id    TEXT PRIMARY KEY,
  key        BLOB,
  created_at TEXT NOT NULL,
  erased_at  TEXT
);
CREATE TABLE IF NOT EXISTS data_keys (
  key_id     TEXT PRIMARY KEY,
  key        BLOB,
  created_at TEXT NOT NULL,
  erased_at  TEXT
)`;

/** Look-ups remembered at most (then forgotten at once; a look-up is one indexed read). */
const CACHED_KEYS = 20_000;
/**
 * How long a look at `PRAGMA data_version` is trusted (it costs as much as decrypting an event).
 * `destroy` waits longer than this before it returns, so no read that starts after an erasure was
 * acknowledged, in any process, uses the destroyed key.
 */
const RECHECK_MS = 1;

/**
 * Data keys in their own SQLite file (DATA_DIR/personal-data-keys.sqlite), backed up with the log.
 *
 * Durability: keys are made ahead, KEY_POOL_BATCH at a time, in one fsynced transaction, and handed
 * out only from this process's memory (never twice, whatever crashes or runs beside it; keys of a
 * crashed process's pool stay unused). A case's claim on a key is then committed without an fsync of
 * its own (synchronous=NORMAL; the next fsync of this file covers it): the key is on disk before any
 * event sealed with it is appended, and the event names it. With a KeyMaker of its own (the
 * simulator's, derived from the case) a key is made and claimed in one fsynced transaction instead.
 *
 * Erasure: secure_delete zeroes a destroyed key's bytes in the page, and the WAL is checkpointed and
 * truncated at once, so no copy of the key stays in the file, its free pages or its -wal.
 *
 * Look-ups are remembered, and forgotten whenever `PRAGMA data_version` says another connection
 * (another process) changed the file since the last look (looked at most once per RECHECK_MS), and
 * at once when this one destroys a key.
 */
export class SqlitePersonalDataKeys implements PersonalDataKeys {
  private readonly db: Database.Database;
  private readonly statements;
  private readonly pooled: boolean;
  private pool: DataKey[] = [];
  private readonly cache = new Map<string, CaseKey>();
  private version = -1;
  private checkedAt = -Infinity;

  constructor(file: string, private readonly makeKey: KeyMaker = randomKeyMaker) {
    this.pooled = makeKey === randomKeyMaker;
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('secure_delete = ON');
    this.db.pragma('busy_timeout = 5000');
    // Under the write lock: two processes opening an older file together would both add the column.
    this.db.transaction(() => {
      this.db.exec(SCHEMA);
      const columns = this.db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('case_keys')").all();
      if (!columns.some((column) => column.name === 'key_id')) this.db.exec('ALTER TABLE case_keys ADD COLUMN key_id TEXT');
    }).immediate();
    this.statements = {
      dataVersion: this.db.prepare<[], number>('PRAGMA data_version').pluck(),
      fullSync: this.db.prepare('PRAGMA synchronous = FULL'),
      normalSync: this.db.prepare('PRAGMA synchronous = NORMAL'),
      getCase: this.db.prepare<[string], CaseKeyRow>(`SELECT c.key, c.erased_at, c.key_id, d.key AS data_key, d.erased_at AS data_erased_at
        FROM case_keys c LEFT JOIN data_keys d ON d.key_id = c.key_id WHERE c.case_id = ?`),
      getKey: this.db.prepare<[string], KeyRow>('SELECT key, erased_at FROM data_keys WHERE key_id = ?'),
      insertKey: this.db.prepare('INSERT INTO data_keys (key_id, key, created_at) VALUES (?, ?, ?) ON CONFLICT (key_id) DO NOTHING'),
      claim: this.db.prepare('INSERT INTO case_keys (case_id, key, created_at, key_id) VALUES (?, NULL, ?, ?) ON CONFLICT (case_id) DO NOTHING'),
      tombstone: this.db.prepare<[string, string, string], { key_id: string | null }>(`INSERT INTO case_keys (case_id, key, created_at, erased_at)
        VALUES (?, NULL, ?, ?) ON CONFLICT (case_id) DO UPDATE SET key = NULL, erased_at = coalesce(case_keys.erased_at, excluded.erased_at)
        RETURNING key_id`),
      eraseKey: this.db.prepare('UPDATE data_keys SET key = NULL, erased_at = coalesce(erased_at, ?) WHERE key_id = ?'),
    };
  }

  async lookup(caseId: string): Promise<CaseKey> {
    return this.caseKeyNow(caseId);
  }

  peek(by: 'case' | 'key', id: string): CaseKey | undefined {
    this.checkVersion();
    return this.cache.get(`${by === 'case' ? 'c' : 'k'}:${id}`);
  }

  async lookupKey(keyId: string): Promise<CaseKey> {
    const cached = this.peek('key', keyId);
    if (cached) return cached;
    return this.remember(`k:${keyId}`, keyOf(this.statements.getKey.get(keyId), keyId));
  }

  async obtain(caseId: string): Promise<CaseKey> {
    const found = this.caseKeyNow(caseId);
    if (found.state !== 'none') return found;
    const fresh = this.pooled ? this.pooledKey() : newDataKey(this.makeKey(caseId));
    const now = new Date().toISOString();
    const claimed = this.pooled
      ? this.statements.claim.run(caseId, now, fresh.keyId).changes > 0
      : this.durably(() => {
        this.statements.insertKey.run(fresh.keyId, fresh.key, now);
        return this.statements.claim.run(caseId, now, fresh.keyId).changes > 0;
      });
    // Another process claimed one first: use its key (and keep ours for the next case).
    if (!claimed) {
      if (this.pooled) this.pool.push(fresh);
      this.cache.delete(`c:${caseId}`);
      return this.caseKeyNow(caseId);
    }
    return this.remember(`c:${caseId}`, { state: 'active', key: fresh.key, keyId: fresh.keyId });
  }

  async destroy(caseId: string, at: string, keyIds: readonly string[] = []): Promise<void> {
    this.durably(() => {
      const claimed = this.statements.tombstone.get(caseId, at, at)?.key_id;
      for (const keyId of new Set([...(claimed ? [claimed] : []), ...keyIds])) this.statements.eraseKey.run(at, keyId);
    });
    this.cache.clear();
    // The old page (with the key) may still sit in the -wal: copy the zeroed one home and empty the WAL.
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    // Past every other process's trusted look: from now on each of them sees the key destroyed.
    await new Promise((resolve) => setTimeout(resolve, 2 * RECHECK_MS + 1));
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  /** The next key of this process's pool, a new batch made (and fsynced) first when it is empty. */
  private pooledKey(): DataKey {
    const next = this.pool.pop();
    if (next) return next;
    const batch = Array.from({ length: KEY_POOL_BATCH }, () => newDataKey(this.makeKey('')));
    const now = new Date().toISOString();
    this.durably(() => { for (const { keyId, key } of batch) this.statements.insertKey.run(keyId, key, now); });
    this.pool = batch;
    return this.pooledKey();
  }

  /** A transaction committed with an fsync (claims are not: see the class comment). */
  private durably<T>(work: () => T): T {
    this.statements.fullSync.run();
    try {
      return this.db.transaction(work)();
    } finally {
      this.statements.normalSync.run();
    }
  }

  private caseKeyNow(caseId: string): CaseKey {
    const cached = this.peek('case', caseId);
    if (cached) return cached;
    const key = caseKeyOf(this.statements.getCase.get(caseId));
    // 'none' is not remembered: this process may claim one any moment.
    return key.state === 'none' ? key : this.remember(`c:${caseId}`, key);
  }

  /** Forgets every look-up when another connection committed to the file since the last look. */
  private checkVersion(): void {
    const now = performance.now();
    if (now - this.checkedAt < RECHECK_MS) return;
    this.checkedAt = now;
    const version = this.statements.dataVersion.get();
    if (version !== this.version) {
      this.cache.clear();
      if (version !== undefined) this.version = version;
    }
  }

  private remember(at: string, key: CaseKey): CaseKey {
    if (this.cache.size >= CACHED_KEYS) this.cache.clear();
    this.cache.set(at, key);
    return key;
  }
}
