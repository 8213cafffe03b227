import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  AppendResult, checkLeanFields, ConcurrencyError, EventStore, ExpectedRevision, LeanEvent, LeanReadOptions, NewEvent, Position,
  ReadAllOptions, ReadStreamOptions, RecordedEvent, recordedAtOf, SubscribeOptions, Subscription,
} from '../event-store.port';
import { AppendSignal, pollingSubscription } from '../poll-subscription';
import { GroupCommit } from './group-commit';
import { StreamCache } from './stream-cache';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  position    INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id    TEXT    NOT NULL UNIQUE,
  stream_id   TEXT    NOT NULL,
  revision    INTEGER NOT NULL,
  type        TEXT    NOT NULL,
  data        TEXT    NOT NULL,
  metadata    TEXT    NOT NULL,
  occurred_at TEXT    NOT NULL,
  UNIQUE (stream_id, revision)
);
-- One row, written when the file is created: who this store is (migrate copies events, not this).
CREATE TABLE IF NOT EXISTS store_identity (
  only_row INTEGER PRIMARY KEY CHECK (only_row = 1),
  id       TEXT    NOT NULL
);`;

interface Row {
  position: number;
  stream_id: string;
  revision: number;
  type: string;
  data: string;
  metadata: string;
}

/** A row of a lean read, as an array: the event's columns, then the metadata fields asked for. */
type LeanRow = [position: number, streamId: string, revision: number, eventId: string, type: string, data: string, ...fields: unknown[]];

const toRecorded = (row: Row): RecordedEvent => ({
  streamId: row.stream_id,
  revision: row.revision,
  position: row.position,
  type: row.type,
  data: JSON.parse(row.data),
  metadata: JSON.parse(row.metadata),
});

/** A row of `streamRange`, as an array (better-sqlite3's raw mode: no object built per row). */
type StreamRow = [position: number, revision: number, type: string, data: string, metadata: string];

const toStreamEvent = (streamId: string) => ([position, revision, type, data, metadata]: StreamRow): RecordedEvent => ({
  streamId, revision, position, type, data: JSON.parse(data), metadata: JSON.parse(metadata),
});

/**
 * The embedded event store: one SQLite file in WAL mode with synchronous=FULL, so the WAL is
 * fsynced on every commit and an acknowledged append survives a power cut (NORMAL would only
 * survive a process crash). Each append is atomic (all its events or none); appends arriving
 * together share one fsynced commit (GroupCommit), each answered only after that commit.
 */
export class SqliteEventStore implements EventStore {
  private readonly db: Database.Database;
  private readonly signal = new AppendSignal();
  private readonly statements;
  private readonly groupCommit: GroupCommit;
  private readonly cache: StreamCache;
  private readonly identity: string;
  /** Lean reads by number of metadata fields (the paths are parameters, so one statement serves any fields). */
  private readonly leanReads = new Map<number, Database.Statement>();

  /** `cachedEvents`: how many parsed events the stream cache holds (0: none, every read parses). */
  constructor(readonly file: string, { cachedEvents = 10_000 }: { cachedEvents?: number } = {}) {
    this.cache = new StreamCache(cachedEvents);
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    // OR IGNORE on the one-row key: two processes opening a new file together keep the first id
    this.db.prepare('INSERT OR IGNORE INTO store_identity (only_row, id) VALUES (1, ?)').run(randomUUID());
    this.identity = (this.db.prepare('SELECT id FROM store_identity').get() as { id: string }).id;
    this.statements = {
      head: this.db.prepare('SELECT MAX(revision) AS revision FROM events WHERE stream_id = ?'),
      byEventId: this.db.prepare('SELECT stream_id, revision, position FROM events WHERE event_id = ?'),
      insert: this.db.prepare(
        `INSERT INTO events (event_id, stream_id, revision, type, data, metadata, occurred_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      // Only the columns a RecordedEvent needs (event_id and occurred_at repeat what metadata holds,
      // the stream id is the one asked for), as arrays: a cold 200-event read builds 200 fewer objects.
      streamRange: this.db.prepare(
        `SELECT position, revision, type, data, metadata FROM events
         WHERE stream_id = ? AND revision > ? AND revision <= ? ORDER BY revision`,
      ).raw(),
      all: this.db.prepare('SELECT * FROM events WHERE position > ? ORDER BY position LIMIT ?'),
      headPosition: this.db.prepare('SELECT MAX(position) AS position FROM events'),
    };
    this.groupCommit = new GroupCommit(this.db);
  }

  async storeId(): Promise<string> {
    return this.identity;
  }

  /** Runs inside GroupCommit's transaction, in a savepoint of its own. */
  private appendNow(streamId: string, events: NewEvent[], expected: ExpectedRevision): AppendResult {
    const retried = this.alreadyAppended(streamId, events);
    if (retried) return retried;
    const head = (this.statements.head.get(streamId) as { revision: number | null }).revision;
    const actual = head === null ? 'no_stream' : head;
    const matches = expected === 'any' || expected === actual;
    if (!matches) throw new ConcurrencyError(streamId, expected, actual);
    let revision = head ?? -1;
    let position = 0;
    for (const event of events) {
      revision += 1;
      const info = this.statements.insert.run(
        event.metadata.eventId, streamId, revision, event.type,
        JSON.stringify(event.data), JSON.stringify(event.metadata), event.metadata.occurredAt,
      );
      position = Number(info.lastInsertRowid);
    }
    return { revision, position };
  }

  /** A retried append (same event ids, same stream) returns the first result and writes nothing. */
  private alreadyAppended(streamId: string, events: NewEvent[]): AppendResult | null {
    const found = events.map((e) => this.statements.byEventId.get(e.metadata.eventId) as
      { stream_id: string; revision: number; position: number } | undefined);
    if (found.every((row) => row === undefined)) return null;
    if (found.some((row) => row === undefined || row.stream_id !== streamId)) {
      throw new Error(`append to ${streamId}: some event ids were already written elsewhere`);
    }
    const last = found[found.length - 1]!;
    return { revision: last.revision, position: last.position };
  }

  async append(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    if (events.length === 0) throw new Error('append needs at least one event');
    const result = await this.groupCommit.run(() => this.appendNow(streamId, events, expected));
    this.signal.notify();
    return result;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const toRevision = options.toRevision ?? Number.MAX_SAFE_INTEGER;
    const cached = this.cache.get(streamId);
    let stream = cached ?? [];
    if (stream.length <= toRevision) {
      // Revisions run 0, 1, 2, ... so the cached prefix ends at revision length - 1.
      const rows = this.statements.streamRange.all(streamId, stream.length - 1, toRevision) as StreamRow[];
      if (rows.length) stream = this.cache.extend(streamId, cached, rows.map(toStreamEvent(streamId)));
    }
    // A copy: the cached array is shared, the caller may do what it likes with its own.
    const events = stream.slice(0, Math.min(stream.length, toRevision + 1));
    if (options.toTime === undefined) return events;
    // The history as it stood at that time is a prefix: stop at the first later event.
    const cutoff = Date.parse(options.toTime);
    const later = events.findIndex((e) => Date.parse(recordedAtOf(e.metadata)) > cutoff);
    return later === -1 ? events : events.slice(0, later);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const rows = this.statements.all.all(options.after ?? 0, options.limit ?? 1000) as Row[];
    return rows.map(toRecorded);
  }

  /** SQLite's json_extract picks the fields out of the stored text; rows come as arrays (no object per row). */
  async readAllLean(options: LeanReadOptions): Promise<LeanEvent[]> {
    checkLeanFields(options.fields);
    const n = options.fields.length;
    let statement = this.leanReads.get(n);
    if (!statement) {
      const picked = options.fields.map(() => ', json_extract(metadata, ?)').join('');
      statement = this.db.prepare(`SELECT position, stream_id, revision, event_id, type, data${picked}
        FROM events WHERE position > ? ORDER BY position LIMIT ?`).raw(true);
      this.leanReads.set(n, statement);
    }
    const rows = statement.all(...options.fields.map((f) => `$.${f}`), options.after ?? 0, options.limit ?? 1000) as LeanRow[];
    // Indexed, not destructured: array destructuring with a rest element iterates each row (a rebuild reads millions).
    const events: LeanEvent[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      events[i] = { position: row[0], streamId: row[1], revision: row[2], eventId: row[3], type: row[4], data: JSON.parse(row[5]), fields: row.slice(6) };
    }
    return events;
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    return pollingSubscription((o) => this.readAll(o), this.signal, options);
  }

  async headPosition(): Promise<Position | null> {
    return (this.statements.headPosition.get() as { position: number | null }).position;
  }

  async close(): Promise<void> {
    this.groupCommit.flush(); // appends already accepted are committed, not dropped
    this.db.close();
  }
}
