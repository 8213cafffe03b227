import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { caseKeyOf, CaseKeyRow, DataKey, keyOf, KeyRow, newDataKey, randomKeyMaker } from './data-key';
import { KeyBatchThread } from './key-batch-thread';
import { KeyPool } from './key-pool';
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
 * How long a look at `PRAGMA data_version` is trusted. A look costs 4–7 µs beside another file's
 * reads; looked at every millisecond it was a tenth of what encryption added to a cold case read.
 * `destroy` waits longer than this before it returns, so no read that starts after an erasure was
 * acknowledged, in any process, uses the destroyed key (an erasure takes 11 ms more; it is rare).
 */
const RECHECK_MS = 5;
/**
 * Claims written together: at most this long after the first of them, or once this many wait. A
 * commit of the key file costs 0.2–0.6 ms however few claims it holds: every 10 ms it was a sixth of
 * what encryption added to an intake, every 50 ms still 8–11 µs per intake (under load), every 250 ms
 * ~2 µs. A claim that waits longer only costs a case a second key, more often (see the class comment).
 */
const CLAIM_DELAY_MS = 250;
const CLAIMS_PER_COMMIT = 1024;

/**
 * Data keys in their own SQLite file (DATA_DIR/personal-data-keys.sqlite), backed up with the log.
 *
 * Durability: keys are made ahead, KEY_POOL_BATCH at a time, in one transaction fsynced before any
 * of them is handed out (key-pool.ts), and handed out only from this process's memory (never twice, whatever crashes or runs beside it; keys of a
 * crashed process's pool stay unused). The key is on disk before any event sealed with it is
 * appended, and the event names it, so a case's claim on a key is only a record, written without an
 * fsync of its own. A new case's claim (no erasure can run on a case not yet written) is kept in
 * memory and written with others (within CLAIM_DELAY_MS, with the next batch of keys, before an
 * erasure, at close); an existing case's is written before its key is handed out, so an erasure in
 * another process finds it. A claim lost to a crash, or not yet written when another process seals an
 * event of the same new case, costs that case a second key, which its events name too (an erasure
 * destroys every key they name). One write per intake to a second file cost more than
 * the encryption itself. With a KeyMaker of its own (the simulator's, derived from the case) a key is
 * made and claimed at once in one fsynced transaction instead.
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
  private readonly pool: KeyPool;
  private readonly batchThread: KeyBatchThread;
  /** Claims handed out and not yet written, by case. */
  private readonly claims = new Map<string, DataKey>();
  private claimTimer: NodeJS.Timeout | null = null;
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
      // Many claims in one statement (pairs of case id and key id as JSON): one run per flush instead of one per claim.
      claimAll: this.db.prepare<[string, string]>(`INSERT INTO case_keys (case_id, key, created_at, key_id)
        SELECT value ->> 0, NULL, ?, value ->> 1 FROM json_each(?) WHERE true ON CONFLICT (case_id) DO NOTHING`),
      tombstone: this.db.prepare<[string, string, string], { key_id: string | null }>(`INSERT INTO case_keys (case_id, key, created_at, erased_at)
        VALUES (?, NULL, ?, ?) ON CONFLICT (case_id) DO UPDATE SET key = NULL, erased_at = coalesce(case_keys.erased_at, excluded.erased_at)
        RETURNING key_id`),
      eraseKey: this.db.prepare('UPDATE data_keys SET key = NULL, erased_at = coalesce(erased_at, ?) WHERE key_id = ?'),
    };
    // The file's version as opened: the first look then forgets only what another process changed
    // since, not every claim this one remembered before its first look (all of a new case's keys).
    this.version = this.statements.dataVersion.get() ?? -1;
    this.batchThread = new KeyBatchThread(file);
    this.pool = new KeyPool({
      writeNow: (batch) => this.durably(() => this.insertBatch(batch)),
      // On a thread of its own; should that fail (a thread that cannot start), here as before.
      writeAhead: (batch) => this.batchThread.write(batch).catch(() => {
        if (!this.db.open) throw new Error('the personal-data key store is closed');
        this.durably(() => this.insertBatch(batch));
      }),
      prepareAhead: () => void this.batchThread.warm().catch(() => undefined), // a failure shows at the first batch ahead
    });
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

  async obtain(caseId: string, { newCase = false } = {}): Promise<CaseKey> {
    if (!this.db.open) throw new Error('the personal-data key store is closed');
    // A new case needs no look: nothing can be on record that its first event must use. A claim
    // another process made for the same id goes with an event that makes this append's no_stream
    // fail; the case is then loaded again and goes on as an existing one. This look was a fifth of
    // what encryption added to an intake.
    if (newCase && this.pooled) {
      const pooled = await this.pool.take();
      this.claimLater(caseId, pooled);
      return { state: 'active', key: pooled.key, keyId: pooled.keyId };
    }
    const found = this.caseKeyNow(caseId);
    if (found.state !== 'none') return found;
    if (this.pooled) {
      const pooled = await this.pool.take();
      const active: CaseKey = { state: 'active', key: pooled.key, keyId: pooled.keyId };
      // An existing case: an erasure in another process may be under way, and it must find this
      // claim (its tombstone returns the claimed key) or refuse it (ON CONFLICT: the tombstone wins).
      if (this.statements.claim.run(caseId, new Date().toISOString(), pooled.keyId).changes > 0) return this.remember(`c:${caseId}`, active);
      this.pool.giveBack(pooled);
      this.cache.delete(`c:${caseId}`);
      return this.caseKeyNow(caseId);
    }
    const fresh = newDataKey(this.makeKey(caseId));
    const now = new Date().toISOString();
    const claimed = this.durably(() => {
      this.statements.insertKey.run(fresh.keyId, fresh.key, now);
      return this.statements.claim.run(caseId, now, fresh.keyId).changes > 0;
    });
    // Another process claimed one first: use its key.
    if (!claimed) {
      this.cache.delete(`c:${caseId}`);
      return this.caseKeyNow(caseId);
    }
    return this.remember(`c:${caseId}`, { state: 'active', key: fresh.key, keyId: fresh.keyId });
  }

  async destroy(caseId: string, at: string, keyIds: readonly string[] = []): Promise<void> {
    this.durably(() => {
      this.writeClaims();
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
    await this.pool.settle();
    await this.batchThread.close();
    if (!this.db.open) return;
    this.flushClaims();
    this.db.close();
  }

  /** Writes the claims waiting in memory now (they are otherwise written within CLAIM_DELAY_MS). */
  flushClaims(): void {
    if (this.claimTimer) clearTimeout(this.claimTimer);
    this.claimTimer = null;
    if (this.claims.size) this.db.transaction(() => this.writeClaims())();
  }

  /** Inside a transaction: a batch of keys, and the claims waiting (written with it at no extra cost). */
  private insertBatch(batch: DataKey[]): void {
    const now = new Date().toISOString();
    for (const { keyId, key } of batch) this.statements.insertKey.run(keyId, key, now);
    this.writeClaims();
  }

  private claimLater(caseId: string, key: DataKey): void {
    this.claims.set(caseId, key);
    this.remember(`c:${caseId}`, { state: 'active', key: key.key, keyId: key.keyId });
    if (this.claims.size >= CLAIMS_PER_COMMIT) {
      // Not on the request path's account: a busy file leaves them to the timer's next try.
      if (this.claimTimer) clearTimeout(this.claimTimer);
      this.flushClaimsSafely();
    } else this.claimTimer ??= setTimeout(() => this.flushClaimsSafely(), CLAIM_DELAY_MS).unref();
  }

  /** From the timer: a busy file (another process's long write) leaves the claims waiting for the next try. */
  private flushClaimsSafely(): void {
    this.claimTimer = null;
    try {
      if (this.db.open) this.flushClaims();
    } catch {
      if (this.claims.size) this.claimTimer = setTimeout(() => this.flushClaimsSafely(), CLAIM_DELAY_MS).unref();
    }
  }

  /** Inside a transaction: the waiting claims (a case another process claimed first keeps that claim on record). */
  private writeClaims(): void {
    if (!this.claims.size) return;
    this.statements.claimAll.run(new Date().toISOString(), JSON.stringify(Array.from(this.claims, ([caseId, { keyId }]) => [caseId, keyId])));
    this.claims.clear();
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
    // The file first: another process's claim or tombstone outranks a claim still waiting here.
    const key = caseKeyOf(this.statements.getCase.get(caseId));
    const waiting = this.claims.get(caseId);
    if (key.state === 'none') {
      // 'none' is not remembered: this process may claim one any moment.
      return waiting ? this.remember(`c:${caseId}`, { state: 'active', key: waiting.key, keyId: waiting.keyId }) : key;
    }
    if (waiting) this.claims.delete(caseId);
    return this.remember(`c:${caseId}`, key);
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
