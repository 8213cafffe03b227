import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { CaseKey, KeyMaker, PersonalDataKeys } from './personal-data-keys.port';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS personal_data_keys (
  case_id    text PRIMARY KEY,
  key        bytea,
  created_at timestamptz NOT NULL DEFAULT now(),
  erased_at  text
)`;

interface KeyRow { key: Buffer | null; erased_at: string | null }

/**
 * Data keys in the PostgreSQL database that holds the events (its own table, in its backups).
 * A destroyed key is set to NULL; its old row version stays in the table file until VACUUM reclaims
 * it (autovacuum soon after), which is why `destroy` asks for a VACUUM of the table right away.
 */
export class PostgresPersonalDataKeys implements PersonalDataKeys {
  private schema: Promise<unknown> | null = null;

  constructor(private readonly pool: Pool, private readonly makeKey: KeyMaker = () => randomBytes(32)) {}

  static connect(connectionString: string, makeKey?: KeyMaker): PostgresPersonalDataKeys {
    const pool = new Pool({ connectionString, max: 4, application_name: 'civicloop-personal-data-keys' });
    pool.on('error', () => undefined);
    return new PostgresPersonalDataKeys(pool, makeKey);
  }

  async lookup(caseId: string): Promise<CaseKey> {
    await this.ready();
    const { rows } = await this.pool.query<KeyRow>('SELECT key, erased_at FROM personal_data_keys WHERE case_id = $1', [caseId]);
    const row = rows[0];
    if (!row) return { state: 'none' };
    if (row.erased_at !== null || row.key === null) return { state: 'erased', erasedAt: row.erased_at ?? '' };
    return { state: 'active', key: row.key };
  }

  async obtain(caseId: string): Promise<CaseKey> {
    const found = await this.lookup(caseId);
    if (found.state !== 'none') return found;
    await this.pool.query('INSERT INTO personal_data_keys (case_id, key) VALUES ($1, $2) ON CONFLICT (case_id) DO NOTHING', [caseId, this.makeKey(caseId)]);
    return this.lookup(caseId);
  }

  async destroy(caseId: string, at: string): Promise<void> {
    await this.ready();
    await this.pool.query(`INSERT INTO personal_data_keys (case_id, key, erased_at) VALUES ($1, NULL, $2)
      ON CONFLICT (case_id) DO UPDATE SET key = NULL, erased_at = coalesce(personal_data_keys.erased_at, excluded.erased_at)`, [caseId, at]);
    await this.pool.query('VACUUM personal_data_keys').catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private ready(): Promise<unknown> {
    this.schema ??= this.pool.query(SCHEMA).catch((error: unknown) => {
      this.schema = null;
      throw error;
    });
    return this.schema;
  }
}
