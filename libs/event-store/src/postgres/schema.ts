import { Pool } from 'pg';
import { EVENTS_PER_TRANSACTION } from './positions';

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

/**
 * One row: how far transaction ids are shifted to make positions (positions.ts), and the store's
 * identity, made with the table (the column is added to stores created before it) and never
 * copied by migrate, which copies events only: it keeps Redis keys of two deployments apart.
 */
const SETTINGS = `
CREATE TABLE IF NOT EXISTS event_store_settings (
  id         boolean PRIMARY KEY DEFAULT true CHECK (id),
  xid_offset bigint  NOT NULL DEFAULT 0
);
ALTER TABLE event_store_settings ADD COLUMN IF NOT EXISTS store_id text NOT NULL DEFAULT gen_random_uuid()::text;
INSERT INTO event_store_settings (id, xid_offset) VALUES (true, 0) ON CONFLICT (id) DO NOTHING`;

/**
 * When the newest stored position is at or past what this server's next transaction id would
 * give (the events came from another server, restored from a logical dump), raises the offset so
 * the next id lands just after it. Answers the newest position when it did.
 */
const CATCH_UP_OFFSET = `
UPDATE event_store_settings s SET xid_offset = newest.position / ${EVENTS_PER_TRANSACTION} + 1 - next.xid
  FROM (SELECT max(position) AS position FROM events) newest,
       (SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS xid) next
 WHERE newest.position IS NOT NULL AND (next.xid + s.xid_offset) * ${EVENTS_PER_TRANSACTION} <= newest.position
RETURNING newest.position`;

/**
 * Creates the tables (idempotent; concurrent starters wait for each other) and moves the offset
 * past restored events; answers the newest restored position when it had to.
 */
export async function ensureSchema(pool: Pool): Promise<string | null> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
    await client.query(TABLE);
    await client.query(SETTINGS);
    const moved = await client.query<{ position: string }>(CATCH_UP_OFFSET);
    await client.query('COMMIT');
    return moved.rows[0]?.position ?? null;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
