import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  AppendResult, checkLeanFields, ConcurrencyError, EventStore, ExpectedRevision, LeanEvent, LeanReadOptions, NewEvent, Position,
  ReadAllOptions, ReadStreamOptions, RecordedEvent, recordedAtOf, SubscribeOptions, Subscription,
} from '../event-store.port';
import { casePartOf } from '../case-partition';
import { AppendSignal, pollingSubscription } from '../poll-subscription';
import { APPEND_SQL, appendRows, AppendStatements, toEventRows } from './append-rows';
import { GroupCommit } from './group-commit';
import { asStoreFailure } from './store-unavailable';
import { StreamCache } from './stream-cache';
import { WriterPragmas } from './writer-program';
import { WriterThread } from './writer-thread';

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
 * together share one fsynced commit, each answered only after that commit: on the event loop
 * (GroupCommit), or with `writerThread` on a connection of a thread of its own (WriterThread), so
 * the event loop serves requests during the fsync. The service uses the thread; tools that append
 * one at a time keep the plain connection.
 */
export class SqliteEventStore implements EventStore {
  private readonly db: Database.Database;
  private readonly signal = new AppendSignal();
  private readonly statements;
  private readonly appendStatements: AppendStatements;
  private readonly groupCommit: GroupCommit;
  private readonly writer: WriterThread | null;
  private readonly cache: StreamCache;
  private readonly identity: string;
  /** Lean reads by number of metadata fields (the paths are parameters, so one statement serves any fields). */
  /** Lean read statements by how many fields they pick (negative: -1 - that, filtered by part). */
  private readonly leanReads = new Map<number, Database.Statement>();
  private partFunction = false;

  /**
   * `cachedEvents`: how many parsed events the stream cache holds (0: none, every read parses).
   * `writerThread`: appends are written by a thread of their own (not for ':memory:', which a second connection cannot see).
   */
  constructor(readonly file: string, { cachedEvents = 10_000, writerThread = false }: { cachedEvents?: number; writerThread?: boolean } = {}) {
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
      // Only the columns a RecordedEvent needs (event_id and occurred_at repeat what metadata holds,
      // the stream id is the one asked for), as arrays: a cold 200-event read builds 200 fewer objects.
      streamRange: this.db.prepare(
        `SELECT position, revision, type, data, metadata FROM events
         WHERE stream_id = ? AND revision > ? AND revision <= ? ORDER BY revision`,
      ).raw(),
      all: this.db.prepare('SELECT * FROM events WHERE position > ? ORDER BY position LIMIT ?'),
      headPosition: this.db.prepare('SELECT MAX(position) AS position FROM events'),
    };
    this.appendStatements = {
      head: this.db.prepare(APPEND_SQL.head), byEventId: this.db.prepare(APPEND_SQL.byEventId), insert: this.db.prepare(APPEND_SQL.insert),
    };
    this.groupCommit = new GroupCommit(this.db);
    // Started after the schema exists: the thread only opens the file and writes rows.
    this.writer = writerThread && file !== ':memory:' ? new WriterThread(file) : null;
  }

  /** Transactions committed by appends so far and the appends they held (how well appends are grouped). */
  appendCounts(): { commits: number; appends: number } {
    return { ...(this.writer?.counts ?? this.groupCommit.counts) };
  }

  /** The journal mode and synchronous setting of the connection that commits appends: the writer thread's own when there is one. */
  async writerStatus(): Promise<WriterPragmas> {
    if (this.writer) return this.writer.pragmas();
    return { journalMode: String(this.db.pragma('journal_mode', { simple: true })), synchronous: Number(this.db.pragma('synchronous', { simple: true })) };
  }

  async storeId(): Promise<string> {
    return this.identity;
  }

  async append(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    if (events.length === 0) throw new Error('append needs at least one event');
    const rows = toEventRows(events);
    const outcome = await (this.writer
      ? this.writer.append(streamId, rows, expected)
      : this.groupCommit.run(() => appendRows(this.appendStatements, streamId, rows, expected))
    ).catch((error: unknown) => { throw asStoreFailure(error); });
    if ('conflict' in outcome) throw new ConcurrencyError(streamId, expected, outcome.conflict);
    this.signal.notify();
    return outcome.written;
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
    const { part } = options;
    const key = part ? -1 - n : n;
    let statement = this.leanReads.get(key);
    if (!statement) {
      if (part && !this.partFunction) {
        // Events of no case fall in no part.
        this.db.function('civicloop_case_part', { deterministic: true }, (caseId: unknown, of: unknown) =>
          (typeof caseId === 'string' ? casePartOf(caseId, Number(of)) : -1));
        this.partFunction = true;
      }
      const picked = options.fields.map(() => ', json_extract(metadata, ?)').join('');
      // The part is decided in SQLite, before a row is handed over and its data parsed.
      // The case as caseIdOf finds it: the metadata's when it is a text, else a case stream's (GLOB: case-sensitive).
      const inPart = part ? `AND civicloop_case_part(CASE WHEN json_type(metadata, '$.caseId') = 'text' THEN json_extract(metadata, '$.caseId')
        WHEN stream_id GLOB 'case-*' THEN substr(stream_id, 6) END, ?) = ?` : '';
      statement = this.db.prepare(`SELECT position, stream_id, revision, event_id, type, data${picked}
        FROM events WHERE position > ? ${inPart} ORDER BY position LIMIT ?`).raw(true);
      this.leanReads.set(key, statement);
    }
    const after = options.after ?? 0;
    const rows = statement.all(...options.fields.map((f) => `$.${f}`), after, ...(part ? [part.of, part.index] : []), options.limit ?? 1000) as LeanRow[];
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
    // appends already accepted are committed, not dropped
    await this.writer?.close();
    this.groupCommit.flush();
    if (this.db.open) this.db.close();
  }
}
