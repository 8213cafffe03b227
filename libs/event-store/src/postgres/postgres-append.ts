import { DatabaseError, Pool, PoolClient } from 'pg';
import { AppendResult, ConcurrencyError, ExpectedRevision, NewEvent, Position } from '../event-store.port';
import { EVENTS_PER_TRANSACTION, FIRST_POSITION_SQL, toPosition } from './positions';

/**
 * The append as one statement, so it costs one round trip like a raw INSERT: read the stream's head,
 * insert the events after it if the expected revision matches ($2: a revision, -1 "no stream",
 * -2 "any"), answer the head and what was written. Each event is five parameters (id, type, data
 * and metadata as JSON text, occurredAt), as a raw multi-row INSERT sends them: the server never
 * de-escapes the JSON (a "\u0000" in a complaint's text stays as written) and nothing is packed
 * into arrays. The text depends on the number of events; the common sizes are prepared once per
 * connection. Positions: positions.ts.
 *
 * The fast path does no other check. The rare cases are resolved afterwards (resolveRefused): an
 * append that wrote nothing because the revision did not match may be a retry of one already
 * written (same event ids: answer its first result); one that hit the event id's unique key is a
 * retry that raced its first attempt; one that hit (stream, revision) lost a race with another
 * append to the same stream and is run again, then sees the winner.
 */
function appendStatement(count: number): { name?: string; text: string } {
  const rows = Array.from({ length: count }, (_, i) => {
    const p = 3 + i * 5;
    return `(${i + 1}, $${p}, $${p + 1}, $${p + 2}::json, $${p + 3}::json, $${p + 4})`;
  });
  return {
    name: count <= PREPARED_UP_TO ? `civicloop-append-${count}` : undefined,
    text: `
WITH head AS (
  SELECT coalesce((SELECT revision FROM events WHERE stream_id = $1 ORDER BY revision DESC LIMIT 1), -1) AS revision
), input (n, id, type, data, metadata, occurred_at) AS (
  VALUES ${rows.join(', ')}
), written AS (
  INSERT INTO events (position, event_id, stream_id, revision, type, data, metadata, occurred_at)
  SELECT ${FIRST_POSITION_SQL} + input.n - 1, input.id, $1, head.revision + input.n,
         input.type, input.data, input.metadata, input.occurred_at
    FROM head, input
   WHERE $2::bigint = -2 OR $2::bigint = head.revision
  RETURNING position, revision
)
SELECT (SELECT revision FROM head) AS head, max(position) AS last_position, max(revision) AS last_revision FROM written`,
  };
}

/** Appends of up to this many events use a named (prepared) statement; longer ones (migrate) are parsed each time. */
const PREPARED_UP_TO = 16;
const prepared = new Map<number, { name?: string; text: string }>();

function statementFor(count: number): { name?: string; text: string } {
  const known = prepared.get(count);
  if (known) return known;
  const statement = appendStatement(count);
  if (count <= PREPARED_UP_TO) prepared.set(count, statement);
  return statement;
}

const BY_EVENT_ID = { name: 'civicloop-by-event-id', text: 'SELECT event_id, stream_id, revision, position FROM events WHERE event_id = ANY ($1::text[])' };

/** Two appends that passed the revision check together: the loser runs again and sees the winner. */
const MAX_ATTEMPTS = 20;

interface Written { head: string; last_position: string | null; last_revision: string | null }

interface AppendQuery { name?: string; text: string; values: [string, number, ...string[]] }

/** Runs the statement; `beforeCommit` (tests only) holds an explicit transaction open between insert and COMMIT. */
type Run = (query: AppendQuery) => Promise<Written>;

export function appendRunner(pool: Pool, beforeCommit?: (append: { streamId: string; position: Position }) => Promise<void>): Run {
  if (!beforeCommit) return async (query) => (await pool.query<Written>(query)).rows[0];
  return async (query) => {
    const client: PoolClient = await pool.connect();
    try {
      await client.query('BEGIN');
      const row = (await client.query<Written>(query)).rows[0];
      if (row.last_position !== null) await beforeCommit({ streamId: query.values[0], position: toPosition(row.last_position) });
      await client.query('COMMIT');
      return row;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  };
}

/** Appends and tells whether anything was written (a recognised retry writes nothing). */
export async function appendEvents(
  pool: Pool, run: Run, streamId: string, events: NewEvent[], expected: ExpectedRevision,
): Promise<AppendResult & { written: boolean }> {
  if (events.length === 0) throw new Error('append needs at least one event');
  if (events.length > EVENTS_PER_TRANSACTION) throw new Error(`an append holds 1 to ${EVENTS_PER_TRANSACTION} events, not ${events.length}`);
  const ids = events.map((e) => e.metadata.eventId);
  if (new Set(ids).size !== ids.length) throw new Error(`append to ${streamId}: the same event id twice in one append`);
  const query: AppendQuery = {
    ...statementFor(events.length),
    values: [
      streamId, expected === 'no_stream' ? -1 : expected === 'any' ? -2 : expected,
      ...events.flatMap((e) => [e.metadata.eventId, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata), e.metadata.occurredAt]),
    ],
  };
  for (let attempt = 1; ; attempt++) {
    let row: Written;
    try {
      row = await run(query);
    } catch (error) {
      const unique = error instanceof DatabaseError && error.code === '23505' ? error.constraint : undefined;
      if (attempt < MAX_ATTEMPTS && unique === 'events_stream_revision_key') {
        // Writers colliding on one stream in lockstep can starve one of them (a CI run saw an `any`
        // append lose 20 times): a random pause, growing with the attempts, lets it through.
        await pauseBeforeRetry(attempt);
        continue;
      }
      if (unique === 'events_event_id_key') {
        const retried = await resolveRefused(pool, streamId, ids);
        if (retried) return retried;
        if (attempt < MAX_ATTEMPTS) continue; // the first attempt rolled back meanwhile: try again
      }
      throw error;
    }
    if (row.last_position !== null && row.last_revision !== null) {
      return { revision: Number(row.last_revision), position: toPosition(row.last_position), written: true };
    }
    const retried = await resolveRefused(pool, streamId, ids);
    if (retried) return retried;
    const head = Number(row.head);
    throw new ConcurrencyError(streamId, expected, head < 0 ? 'no_stream' : head);
  }
}

/** Up to 1, 2, 4 … 32 ms (random: two losers must not come back together). */
const pauseBeforeRetry = (attempt: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(32, 2 ** (attempt - 1))));

/** The first result of an append already written with these ids, null if none of them is written. */
async function resolveRefused(pool: Pool, streamId: string, ids: string[]): Promise<(AppendResult & { written: false }) | null> {
  const { rows } = await pool.query<{ event_id: string; stream_id: string; revision: string; position: string }>({ ...BY_EVENT_ID, values: [ids] });
  if (rows.length === 0) return null;
  const last = rows.find((r) => r.event_id === ids[ids.length - 1]);
  if (rows.length < new Set(ids).size || !last || rows.some((r) => r.stream_id !== streamId)) {
    throw new Error(`append to ${streamId}: some event ids were already written elsewhere`);
  }
  return { revision: Number(last.revision), position: toPosition(last.position), written: false };
}
