import type { CasePart } from './case-partition';
/**
 * The one port every event store adapter implements (embedded SQLite, EventStoreDB).
 *
 * Revisions count from 0 within a stream. A position is a number that orders every event of the
 * store globally; it is only compared and handed back, never computed on.
 */
export type Position = number;

export interface EventMetadata {
  eventId: string;
  streamId: string;
  /** Business time: when it happened in the world (for a deadline event, its due time). */
  occurredAt: string;
  /** When it was appended (what the system knew by then). Absent on events written before it existed: occurredAt then. */
  recordedAt?: string;
  actor: { id: string; role: string; unitId: string | null };
  commandId: string;
  correlationId: string;
  causationId: string;
  schemaVersion: number;
  [key: string]: unknown;
}

/** When the event was appended; older events recorded only occurredAt, which was then the same instant. */
export const recordedAtOf = (metadata: Pick<EventMetadata, 'occurredAt' | 'recordedAt'>): string => metadata.recordedAt ?? metadata.occurredAt;

export interface NewEvent {
  type: string;
  data: Record<string, unknown>;
  metadata: EventMetadata;
}

export interface RecordedEvent extends NewEvent {
  streamId: string;
  revision: number;
  position: Position;
}

/** `no_stream`: the stream must not exist yet; a number: the revision of the stream's last event. */
export type ExpectedRevision = 'no_stream' | 'any' | number;

export interface AppendResult {
  /** Revision of the last event written (the next expected revision). */
  revision: number;
  /** Global position of the last event written. */
  position: Position;
}

export interface ReadStreamOptions {
  /** Inclusive. */
  toRevision?: number;
  /** Inclusive, against each event's recordedAt (recordedAtOf): the history as the system knew it then. */
  toTime?: string;
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this position. Omit to read from the beginning. */
  after?: Position | null;
  limit?: number;
}

/** What a bulk reader of the whole log asks for (a projection rebuild). */
export interface LeanReadOptions extends ReadAllOptions {
  /**
   * Metadata fields to pick out, as dot-separated paths of plain names (`caseId`, `actor.unitId`):
   * the database picks them out of the stored JSON, so the metadata is neither parsed nor copied per event.
   */
  fields: readonly string[];
  /**
   * Only the events of this part's cases (casePartOf of the metadata's case id, else the case
   * stream's), other streams' events left out: several threads rebuilding one log each parse only
   * their own share. A store may read everything instead (the reader filters again).
   */
  part?: CasePart;
}

/** An event as a bulk reader needs it: its data parsed, of its metadata only the fields asked for. */
export interface LeanEvent {
  position: Position;
  streamId: string;
  revision: number;
  eventId: string;
  type: string;
  data: Record<string, unknown>;
  /** The values at `LeanReadOptions.fields`, in that order, as the JSON holds them (meant for strings and numbers); null where absent. */
  fields: unknown[];
}

/** A path of LeanReadOptions.fields: plain names only, so it reads the same in every database's JSON path syntax. */
export const LEAN_FIELD_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

export function checkLeanFields(fields: readonly string[]): void {
  const bad = fields.find((f) => !LEAN_FIELD_PATH.test(f));
  if (bad !== undefined) throw new Error(`metadata field path ${JSON.stringify(bad)}: plain names separated by dots only`);
}

export interface SubscribeOptions {
  after?: Position | null;
  /** Called once per event, in global order; the next event waits for the returned promise. */
  handler: (event: RecordedEvent) => Promise<void> | void;
  /** Called when the handler throws; the subscription stops. */
  onError?: (error: unknown) => void;
  /** Called once the subscription has caught up with the head and is live. */
  onLive?: () => void;
}

export interface Subscription {
  stop(): Promise<void>;
}

export class ConcurrencyError extends Error {
  constructor(readonly streamId: string, readonly expected: ExpectedRevision, readonly actual: number | 'no_stream') {
    super(`stream ${streamId}: expected revision ${expected}, found ${actual}`);
    this.name = 'ConcurrencyError';
  }
}

/** The configured store's server does not answer (start-up fails with this, naming the store). */
export class EventStoreUnreachable extends Error {
  constructor(store: string, cause: unknown) {
    super(`cannot reach ${store}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'EventStoreUnreachable';
  }
}

/**
 * The store cannot take the append now (locked by another writer past its wait, disk full, I/O error,
 * file gone, too many appends already waiting): retry later. `outcomeUnknown`: the writer stopped
 * after the append was handed to it, so it may have been recorded: read before trying again.
 */
export class StoreUnavailable extends Error {
  /** The store's own code for it, when it has one (SQLITE_BUSY, SQLITE_FULL, ...). */
  readonly code?: string;
  /** How long a caller should wait before trying again: a held lock clears in moments, a full disk needs an operator. */
  readonly retryAfterSeconds: number;

  constructor(
    readonly reason: string, readonly outcomeUnknown = false,
    options: { cause?: unknown; code?: string; retryAfterSeconds?: number } = {},
  ) {
    super(`event store unavailable: ${reason}`, { cause: options.cause });
    this.name = 'StoreUnavailable';
    this.code = options.code;
    this.retryAfterSeconds = options.retryAfterSeconds ?? 1;
  }
}

export interface EventStore {
  append(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult>;
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /**
   * The same page as readAll (same order, same events, same settledness), lean: no metadata
   * object per event. Optional: a store that must transform what it stored (decryption) or cannot
   * pick fields out server-side leaves it out, and bulk readers use readAll.
   */
  readAllLean?(options: LeanReadOptions): Promise<LeanEvent[]>;
  subscribeToAll(options: SubscribeOptions): Subscription;
  /** Position of the newest event, or null for an empty store. */
  headPosition(): Promise<Position | null>;
  /**
   * An id made when the store was created and never copied (migrate copies events only): what
   * keeps the Redis keys of two deployments sharing one Redis apart. Adapters that cannot keep one
   * leave it out and are known by their connection string instead (EventStoreDB; see platform's redisNamespace).
   */
  storeId?(): Promise<string>;
  /**
   * What the connection that commits appends reports (the SQLite writer thread: its journal mode and
   * synchronous setting); rejects when appends cannot be written now (a writer thread that stopped and
   * cannot open the file again). For /health. Stores whose appends go to a server leave it out.
   */
  writerStatus?(): Promise<Record<string, string | number>>;
  close(): Promise<void>;
}

export const EVENT_STORE = Symbol('EventStore');
