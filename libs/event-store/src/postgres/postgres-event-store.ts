import { DatabaseError, Pool } from 'pg';
import {
  AppendResult, checkLeanFields, EventStore, EventStoreUnreachable, ExpectedRevision, LeanEvent, LeanReadOptions, NewEvent, Position,
  ReadAllOptions, ReadStreamOptions, RecordedEvent, recordedAtOf, SubscribeOptions, Subscription,
} from '../event-store.port';
import { AppendSignal } from '../poll-subscription';
import { AppendWakeup } from './append-wakeup';
import { appendEvents, appendRunner } from './postgres-append';
import { APPLICATION, describePostgres, probeServer, ServerRefused, withTimeout } from './postgres-connection';
import { HORIZON_SQL, toPosition } from './positions';
import { postgresSubscription, PostgresSubscriptionTuning, SettledPage } from './postgres-subscription';
import { ensureSchema } from './schema';

export interface PostgresEventStoreOptions {
  /** How long `connect` waits for the server before giving up. */
  connectTimeoutMs?: number;
  /** Connections for appends and reads (LISTEN and NOTIFY use one more each). */
  poolSize?: number;
  subscription?: PostgresSubscriptionTuning;
  /**
   * For tests and benchmarks only: runs each append in an explicit transaction and awaits this
   * between the insert and COMMIT, so commits can be made to land out of position order.
   */
  beforeCommit?: (append: { streamId: string; position: Position }) => Promise<void>;
}

interface Row {
  position: string;
  stream_id: string;
  revision: string;
  type: string;
  data: Record<string, unknown>;
  metadata: RecordedEvent['metadata'];
}

const toRecorded = (row: Row): RecordedEvent => ({
  streamId: row.stream_id,
  revision: Number(row.revision),
  position: toPosition(row.position),
  type: row.type,
  data: row.data,
  metadata: row.metadata,
});

const COLUMNS = 'position, stream_id, revision, type, data, metadata';
const SETTLED = `SELECT ${COLUMNS} FROM events WHERE position > $1 AND position < ${HORIZON_SQL} ORDER BY position LIMIT $2`;
// max() is one step of the primary key backwards; an EXISTS over `position >= horizon` was planned as a full scan.
const PENDING = `SELECT coalesce((SELECT max(position) FROM events), -1) >= ${HORIZON_SQL} AS pending`;

/**
 * Events in one PostgreSQL table, appended by one statement per append (postgres-append.ts), $all
 * ordered by transaction id with a visibility horizon so no reader skips a late commit
 * (positions.ts), subscriptions woken by LISTEN/NOTIFY with polling as the safety net.
 *
 * Durability: an append is acknowledged after COMMIT returns. When the server's default
 * synchronous_commit is `off`, the adapter's sessions start with `on`; `local`, `remote_write` and
 * `remote_apply` (synchronous replicas) are left as the server sets them.
 */
export class PostgresEventStore implements EventStore {
  private readonly signal = new AppendSignal();
  private readonly wakeup: AppendWakeup;
  private readonly runAppend: ReturnType<typeof appendRunner>;
  private readonly subscriptions = new Set<Subscription>();

  private constructor(
    private readonly pool: Pool,
    readonly name: string,
    private readonly options: PostgresEventStoreOptions,
    connectionString: string,
  ) {
    this.runAppend = appendRunner(pool, options.beforeCommit);
    this.wakeup = new AppendWakeup({ connectionString, application_name: APPLICATION }, this.signal);
  }

  /** Connects, creates the schema if missing, and fails within `connectTimeoutMs` if the server does not answer. */
  static async connect(connectionString: string, options: PostgresEventStoreOptions = {}): Promise<PostgresEventStore> {
    const { connectTimeoutMs = 5000, poolSize = 10 } = options;
    const name = describePostgres(connectionString);
    let pool: Pool | null = null;
    try {
      const server = await withTimeout(probeServer(connectionString, connectTimeoutMs), connectTimeoutMs);
      pool = new Pool({
        connectionString, max: poolSize, connectionTimeoutMillis: connectTimeoutMs, application_name: APPLICATION,
        // A server whose default is `off` (for other work) would acknowledge appends it may lose in a crash.
        options: server.synchronousCommit === 'off' ? '-c synchronous_commit=on' : undefined,
      });
      // An idle connection the server drops (restart, failover) must not crash the process; the pool replaces it.
      pool.on('error', () => undefined);
      const restored = await withTimeout(ensureSchema(pool), connectTimeoutMs);
      if (restored !== null) {
        console.warn(`${name}: the events table holds positions past this server's transaction ids (restored from a logical dump of another server?); new positions continue after ${restored}`);
      }
      return new PostgresEventStore(pool, name, options, connectionString);
    } catch (error) {
      void pool?.end().catch(() => undefined);
      // An error the server answered with (permissions, version) is not "unreachable".
      if (error instanceof DatabaseError || error instanceof ServerRefused) throw error;
      throw new EventStoreUnreachable(name, error);
    }
  }

  async append(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    const { written, ...result } = await appendEvents(this.pool, this.runAppend, streamId, events, expected);
    if (written) this.wakeup.announce();
    return result;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    if (options.toRevision !== undefined && options.toRevision < 0) return [];
    const { rows } = await this.pool.query<Row>({
      name: 'civicloop-read-stream',
      text: `SELECT ${COLUMNS} FROM events WHERE stream_id = $1 AND revision <= $2 ORDER BY revision`,
      values: [streamId, options.toRevision ?? Number.MAX_SAFE_INTEGER],
    });
    const events = rows.map(toRecorded);
    if (options.toTime === undefined) return events;
    // The history as it stood at that time is a prefix: stop at the first later event.
    const cutoff = Date.parse(options.toTime);
    const later = events.findIndex((e) => Date.parse(recordedAtOf(e.metadata)) > cutoff);
    return later === -1 ? events : events.slice(0, later);
  }

  /** Settled events only (below the horizon, positions.ts): what it returns never gains an earlier event. */
  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const { rows } = await this.pool.query<Row>({
      name: 'civicloop-read-all', text: SETTLED, values: [options.after ?? -1, options.limit ?? 1000],
    });
    return rows.map(toRecorded);
  }

  /**
   * The settled page readAll gives, lean: the server picks the fields out of the metadata (`#>`,
   * each path a parameter), rows come as arrays, and the metadata never crosses the wire.
   */
  async readAllLean(options: LeanReadOptions): Promise<LeanEvent[]> {
    checkLeanFields(options.fields);
    const picked = options.fields.map((_, i) => `, metadata #> $${i + 3}::text[]`).join('');
    const { rows } = await this.pool.query<[string, string, string, string, string, Record<string, unknown>, ...unknown[]]>({
      name: `civicloop-read-all-lean-${options.fields.length}`,
      text: `SELECT position, stream_id, revision, event_id, type, data${picked} FROM events
        WHERE position > $1 AND position < ${HORIZON_SQL} ORDER BY position LIMIT $2`,
      values: [options.after ?? -1, options.limit ?? 1000, ...options.fields.map((f) => f.split('.'))],
      rowMode: 'array',
    });
    return rows.map(([position, streamId, revision, eventId, type, data, ...fields]) => ({
      position: toPosition(position), streamId, revision: Number(revision), eventId, type, data, fields,
    }));
  }

  private async readSettled(after: Position | null, limit: number): Promise<SettledPage> {
    const events = await this.readAll({ after, limit });
    if (events.length === limit) return { events, pending: false };
    const { rows } = await this.pool.query<{ pending: boolean }>({ name: 'civicloop-pending', text: PENDING });
    return { events, pending: rows[0].pending };
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    const subscription = postgresSubscription(
      (after, limit) => this.readSettled(after, limit), this.signal, () => this.wakeup.listen(), options, this.options.subscription,
    );
    this.subscriptions.add(subscription);
    return {
      stop: async () => {
        this.subscriptions.delete(subscription);
        await subscription.stop();
      },
    };
  }

  async storeId(): Promise<string> {
    const { rows } = await this.pool.query<{ store_id: string }>('SELECT store_id FROM event_store_settings');
    return rows[0].store_id;
  }

  /** The newest committed event, settled or not: readers reach it once older transactions end. */
  async headPosition(): Promise<Position | null> {
    const { rows } = await this.pool.query<{ position: string | null }>('SELECT max(position) AS position FROM events');
    return rows[0].position === null ? null : toPosition(rows[0].position);
  }

  /** Stops the subscriptions still running (they would otherwise retry against a closed pool forever). */
  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    this.subscriptions.clear();
    await this.wakeup.close();
    await this.pool.end();
  }
}
