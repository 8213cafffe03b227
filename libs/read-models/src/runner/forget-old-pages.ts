import { sql } from 'kysely';
import { ReadDatabase } from '../database';

/**
 * After an erasure the old page images, with the resident's words, still sit in the SQLite -wal
 * until a checkpoint copies the new pages home; TRUNCATE empties the file too. PostgreSQL's old
 * row versions go with VACUUM, which its autovacuum runs.
 */
export async function forgetOldPages(rdb: ReadDatabase): Promise<void> {
  if (rdb.dialect !== 'sqlite') return;
  await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(rdb.db);
}
