import { Pool } from 'pg';

/** pg_advisory_xact_lock key that serializes schema set-up between processes starting together. */
const SCHEMA_LOCK = 7_419_300_019;

/**
 * One table: `position` orders $all (see positions.ts), unique (stream_id, revision) is the
 * optimistic-concurrency guard, unique event_id makes a retried append recognisable. data and
 * metadata are `json`, not `jsonb`: json keeps the text as written, and jsonb refuses a "\u0000"
 * that a hostile complaint text could carry.
 */
const TABLE = `
CREATE TABLE IF NOT EXISTS events (
  position    bigint      PRIMARY KEY,
  event_id    text        NOT NULL,
  stream_id   text        NOT NULL,
  revision    bigint      NOT NULL CHECK (revision >= 0),
  type        text        NOT NULL,
  data        json        NOT NULL,
  metadata    json        NOT NULL,
  occurred_at text        NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT events_event_id_key UNIQUE (event_id),
  CONSTRAINT events_stream_revision_key UNIQUE (stream_id, revision)
)`;

/** Creates the table (idempotent; concurrent starters wait for each other). */
export async function ensureSchema(pool: Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
    await client.query(TABLE);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
