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
 * The whole append in one statement, so an append costs one round trip like a raw INSERT. The
 * events come as parallel arrays (ids, types, data and metadata as JSON text, occurredAt): the
 * server never parses the JSON beyond validating it, which is cheaper and keeps "\u0000" (that
 * json_array_elements would refuse to de-escape) as written.
 * p_expected: a revision, -1 for "no stream", -2 for "any". Outcomes: `appended`; `retried` (every
 * event id is already in this stream: the first result, nothing written); `conflict` with the
 * stream's actual revision (-1: no stream). Two appends that pass the check together collide on a
 * unique key when the second inserts; the adapter runs it again and it then sees the first one's
 * events (retried, or conflict).
 */
const APPEND_FUNCTION = `
CREATE OR REPLACE FUNCTION civicloop_append(
  p_stream text, p_expected bigint, p_ids text[], p_types text[], p_data text[], p_metadata text[], p_occurred_at text[]
) RETURNS TABLE (outcome text, last_revision bigint, last_position bigint, actual bigint)
LANGUAGE plpgsql AS $$
DECLARE
  v_count int := coalesce(array_length(p_ids, 1), 0);
  v_found int;
  v_elsewhere int;
  v_head bigint;
  v_base bigint;
BEGIN
  IF v_count = 0 OR v_count > ${EVENTS_PER_TRANSACTION} THEN
    RAISE EXCEPTION 'an append holds 1 to ${EVENTS_PER_TRANSACTION} events, not %', v_count USING ERRCODE = '22023';
  END IF;
  SELECT count(*), count(*) FILTER (WHERE ev.stream_id <> p_stream) INTO v_found, v_elsewhere
    FROM events ev WHERE ev.event_id = ANY (p_ids);
  IF v_found > 0 THEN
    IF v_found < v_count OR v_elsewhere > 0 THEN
      RAISE EXCEPTION 'append to %: some event ids were already written elsewhere', p_stream;
    END IF;
    RETURN QUERY SELECT 'retried'::text, ev.revision, ev.position, NULL::bigint FROM events ev WHERE ev.event_id = p_ids[v_count];
    RETURN;
  END IF;
  SELECT ev.revision INTO v_head FROM events ev WHERE ev.stream_id = p_stream ORDER BY ev.revision DESC LIMIT 1;
  v_head := coalesce(v_head, -1);
  IF p_expected <> -2 AND p_expected <> v_head THEN
    RETURN QUERY SELECT 'conflict'::text, NULL::bigint, NULL::bigint, v_head;
    RETURN;
  END IF;
  v_base := pg_current_xact_id()::text::bigint * ${EVENTS_PER_TRANSACTION};
  INSERT INTO events (position, event_id, stream_id, revision, type, data, metadata, occurred_at)
  SELECT v_base + t.n - 1, t.id, p_stream, v_head + t.n, t.type, t.data::json, t.metadata::json, t.occurred_at
    FROM unnest(p_ids, p_types, p_data, p_metadata, p_occurred_at) WITH ORDINALITY AS t(id, type, data, metadata, occurred_at, n);
  RETURN QUERY SELECT 'appended'::text, v_head + v_count, v_base + v_count - 1, NULL::bigint;
END $$`;

/** Creates the table and the append function (idempotent; concurrent starters wait for each other). */
export async function ensureSchema(pool: Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
    await client.query(TABLE);
    await client.query(APPEND_FUNCTION);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
