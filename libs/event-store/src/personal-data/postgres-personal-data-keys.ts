import { Pool } from 'pg';
import { caseKeyOf, CaseKeyRow, DataKey, KEY_POOL_BATCH, keyOf, KeyRow, newDataKey, randomDataKeys, randomKeyMaker } from './data-key';
import { CaseKey, KeyMaker, PersonalDataKeys } from './personal-data-keys.port';

/**
 * personal_data_keys: each case's key (a claim by id; before key ids, the key itself) or its tombstone.
 * One implicit transaction under an advisory lock: replicas starting together would otherwise race
 * on CREATE TABLE IF NOT EXISTS (a duplicate pg_type row) and on the ALTER.
 */
const SCHEMA = `
SELECT pg_advisory_xact_lock(7419300020);
CREATE TABLE IF NOT EXISTS personal_data_keys (
  case_id    text PRIMARY KEY,
  key        bytea,
  created_at timestamptz NOT NULL DEFAULT now(),
  erased_at  text
);
ALTER TABLE personal_data_keys ADD COLUMN IF NOT EXISTS key_id text;
CREATE TABLE IF NOT EXISTS personal_data_keys_by_id (
  key_id     text PRIMARY KEY,
  key        bytea,
  created_at timestamptz NOT NULL DEFAULT now(),
  erased_at  text
)`;

/**
 * Data keys in the PostgreSQL database that holds the events (their own tables, in its backups).
 * As with SQLite, keys are made ahead in batches (one commit for KEY_POOL_BATCH of them), handed out
 * only from this process's memory, and a case's claim on one is committed with synchronous_commit
 * off: the events it seals name the key, so the claim needs no flush of its own. Look-ups are not
 * cached (another process may destroy a key at any moment, and there is no cheap check here).
 * A destroyed key is set to NULL; its old row version stays in the table file until VACUUM reclaims
 * it (autovacuum soon after), which is why `destroy` asks for a VACUUM of the tables right away.
 */
export class PostgresPersonalDataKeys implements PersonalDataKeys {
  private schema: Promise<unknown> | null = null;
  private readonly pooled: boolean;
  private fresh: DataKey[] = [];
  private refilling: Promise<void> | null = null;

  constructor(private readonly pool: Pool, private readonly makeKey: KeyMaker = randomKeyMaker) {
    this.pooled = makeKey === randomKeyMaker;
  }

  static connect(connectionString: string, makeKey?: KeyMaker): PostgresPersonalDataKeys {
    const pool = new Pool({ connectionString, max: 4, application_name: 'civicloop-personal-data-keys' });
    pool.on('error', () => undefined);
    return new PostgresPersonalDataKeys(pool, makeKey);
  }

  async lookup(caseId: string): Promise<CaseKey> {
    await this.ready();
    const { rows } = await this.pool.query<CaseKeyRow>(`SELECT c.key, c.erased_at, c.key_id, d.key AS data_key, d.erased_at AS data_erased_at
      FROM personal_data_keys c LEFT JOIN personal_data_keys_by_id d ON d.key_id = c.key_id WHERE c.case_id = $1`, [caseId]);
    return caseKeyOf(rows[0]);
  }

  async lookupKey(keyId: string): Promise<CaseKey> {
    await this.ready();
    const { rows } = await this.pool.query<KeyRow>('SELECT key, erased_at FROM personal_data_keys_by_id WHERE key_id = $1', [keyId]);
    return keyOf(rows[0], keyId);
  }

  async obtain(caseId: string): Promise<CaseKey> {
    const found = await this.lookup(caseId);
    if (found.state !== 'none') return found;
    const fresh = this.pooled ? await this.pooledKey() : newDataKey(this.makeKey(caseId));
    if (!this.pooled) await this.insertKeys([fresh]);
    const { rowCount } = await this.pool.query(`INSERT INTO personal_data_keys (case_id, key, key_id)
      SELECT $1, NULL, $2 FROM (SELECT set_config('synchronous_commit', 'off', true)) AS unflushed
      ON CONFLICT (case_id) DO NOTHING`, [caseId, fresh.keyId]);
    if (rowCount) return { state: 'active', key: fresh.key, keyId: fresh.keyId };
    // Another process (or call) claimed one first: use its key, and keep ours for the next case.
    if (this.pooled) this.fresh.push(fresh);
    return this.lookup(caseId);
  }

  async destroy(caseId: string, at: string, keyIds: readonly string[] = []): Promise<void> {
    await this.ready();
    await this.pool.query(`WITH tombstone AS (
        INSERT INTO personal_data_keys (case_id, key, erased_at) VALUES ($1, NULL, $2)
        ON CONFLICT (case_id) DO UPDATE SET key = NULL, erased_at = coalesce(personal_data_keys.erased_at, excluded.erased_at)
        RETURNING key_id)
      UPDATE personal_data_keys_by_id SET key = NULL, erased_at = coalesce(erased_at, $2)
      WHERE key_id = ANY($3::text[]) OR key_id IN (SELECT key_id FROM tombstone)`, [caseId, at, [...keyIds]]);
    await this.pool.query('VACUUM personal_data_keys, personal_data_keys_by_id').catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** The next key of this process's pool; concurrent callers share one refill when it is empty. */
  private async pooledKey(): Promise<DataKey> {
    for (;;) {
      const next = this.fresh.pop();
      if (next) return next;
      this.refilling ??= this.insertKeys(randomDataKeys(KEY_POOL_BATCH))
        .then((batch) => { this.fresh.push(...batch); })
        .finally(() => { this.refilling = null; });
      await this.refilling;
    }
  }

  /** Keys committed (flushed) before any is handed out. */
  private async insertKeys(keys: DataKey[]): Promise<DataKey[]> {
    await this.ready();
    await this.pool.query('INSERT INTO personal_data_keys_by_id (key_id, key) SELECT * FROM unnest($1::text[], $2::bytea[]) ON CONFLICT (key_id) DO NOTHING',
      [keys.map((k) => k.keyId), keys.map((k) => k.key)]);
    return keys;
  }

  private ready(): Promise<unknown> {
    this.schema ??= this.pool.query(SCHEMA).catch((error: unknown) => {
      this.schema = null;
      throw error;
    });
    return this.schema;
  }
}
