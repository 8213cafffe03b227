import { Position } from '../event-store.port';

/**
 * How the PostgreSQL store orders $all so that a reader never skips an event committed late.
 *
 * The trap: a global position from a sequence is taken when a transaction inserts, but
 * transactions commit in any order. Writer A takes position 7, writer B takes 8 and commits first;
 * a reader that sees 8 stores "after 8" as its checkpoint and never reads 7 when A commits.
 *
 * The scheme (transaction id + visibility horizon, as outbox relays and Marten-style stores do):
 * - each event's position is `xid8 * 4096 + index`, where xid8 is the id of the transaction that
 *   wrote it (`pg_current_xact_id()`, 64 bits with the wraparound epoch, so it never repeats) and
 *   index its place in the append. Positions order $all by transaction id, then by place.
 * - readers only return events below the horizon `pg_snapshot_xmin(pg_current_snapshot()) * 4096`:
 *   every transaction with an id below the snapshot's xmin has ended (committed or rolled back), so
 *   all events below the horizon are visible to the reading statement and no event can ever appear
 *   there later (ids are handed out in increasing order). What a reader has passed is final.
 *
 * Why not a serialized position (an advisory or table lock held from allocation to commit): it is
 * exact and has no server-wide horizon, but it makes every append wait for the previous one's WAL
 * flush, so concurrent writers lose PostgreSQL's group commit; measured in bench/event-store.
 * This scheme lets appends commit in parallel and costs readers only the horizon in the query.
 *
 * Its limits (README, "Production"):
 * - the horizon is server-wide: ANY transaction that holds a transaction id (it wrote something),
 *   in any database of the same PostgreSQL server, holds back every subscription until it ends.
 *   Appends go on; readers simply see nothing past that transaction's id until then. A long
 *   read-model rebuild in one transaction, a bulk UPDATE or a session left "idle in transaction"
 *   after a write stall projections and deadlines for as long as they run. Read-only transactions
 *   (reports, pg_dump) do not: they hold no transaction id. Keep read models on another server or
 *   set idle_in_transaction_session_timeout; test/event-store-postgres/horizon.spec.ts shows both.
 * - a prepared (two-phase) transaction holds the horizon until it is committed or rolled back.
 * - positions are sparse (gaps where other transactions took ids) and only compared, never
 *   counted: a lag in positions is not a number of events.
 * - one append holds at most 4,096 events, and positions stay exact numbers (below 2^53) until
 *   the server has used 2^41 transaction ids, about 70 years at 1,000 write transactions a second.
 * - transaction ids belong to the server, not to the data: a physical copy (base backup, replica,
 *   pg_upgrade) keeps them, but the events restored from a logical dump onto another server carry
 *   positions ahead of that server's ids, and would sit above its horizon for good. So ids are
 *   shifted by `xid_offset` (table event_store_settings, 0 until needed): at connect, if the
 *   server's next id falls at or below the newest stored position, the offset is raised once so
 *   new positions continue after it (schema.ts). Stored positions never change, so checkpoints
 *   stay valid.
 */
export const EVENTS_PER_TRANSACTION = 4096;

const OFFSET_SQL = '(SELECT xid_offset FROM event_store_settings)';

/** SQL: the position below which every event is settled, for the statement's own snapshot. */
export const HORIZON_SQL = `((pg_snapshot_xmin(pg_current_snapshot())::text::bigint + ${OFFSET_SQL}) * ${EVENTS_PER_TRANSACTION})`;

/** SQL: the position of the first event this transaction writes. */
export const FIRST_POSITION_SQL = `((pg_current_xact_id()::text::bigint + ${OFFSET_SQL}) * ${EVENTS_PER_TRANSACTION})`;

/** A bigint position as PostgreSQL returns it (text) into the port's Position, refusing to round. */
export function toPosition(value: string | number): Position {
  const position = Number(value);
  if (!Number.isSafeInteger(position)) throw new RangeError(`PostgreSQL event position ${value} exceeds 2^53`);
  return position;
}
