import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';

/** One record of the stand-in's transaction log, kept as EventStoreDB keeps it: bytes and strings. */
export interface LogRecord {
  id: string;
  streamId: string;
  revision: number;
  type: string;
  contentType: string;
  data: Uint8Array;
  customMetadata: Uint8Array;
  /** .NET ticks (100 ns since 0001-01-01), as EventStoreDB reports `created`. */
  created: bigint;
  /** Byte offset in the simulated log; commit and prepare positions are equal (no explicit transactions). */
  position: bigint;
}

export interface ProposedEvent {
  id: string;
  type: string;
  contentType: string;
  data: Uint8Array;
  customMetadata: Uint8Array;
}

/** `no_stream`, `any`, `stream_exists` or an exact revision, as on the wire. */
export type Expected = 'no_stream' | 'any' | 'stream_exists' | bigint;

export type AppendOutcome =
  | { kind: 'written' | 'idempotent'; currentRevision: bigint; position: bigint | null }
  | { kind: 'wrong_expected_version'; current: bigint | 'no_stream'; expected: Expected };

const EPOCH_TICKS = 621_355_968_000_000_000n;
const RECORD_OVERHEAD = 96n;

/**
 * The stand-in's storage: one ordered log plus a per-stream index, in memory. Appends follow
 * EventStoreDB's documented optimistic concurrency and idempotency rules.
 */
export class StandInLog {
  readonly records: LogRecord[] = [];
  private readonly streams = new Map<string, LogRecord[]>();
  private readonly appended = new EventEmitter().setMaxListeners(0);
  /** Real logs start with a chunk header; start later than 0 so nothing confuses 0 with "none". */
  private nextPosition = 1024n;

  constructor() {
    // A fresh EventStoreDB node writes system events of its own before any client does.
    this.writeSystemEvent('$settings', '$settings');
  }

  stream(streamId: string): LogRecord[] | undefined {
    return this.streams.get(streamId);
  }

  onAppend(listener: (records: LogRecord[]) => void): () => void {
    this.appended.on('append', listener);
    return () => this.appended.off('append', listener);
  }

  writeSystemEvent(streamId: string, type: string): LogRecord {
    return this.write(streamId, [{
      id: randomUUID(), type, contentType: 'application/json',
      data: Buffer.from('{}'), customMetadata: new Uint8Array(),
    }])[0];
  }

  append(streamId: string, events: ProposedEvent[], expected: Expected): AppendOutcome {
    const existing = this.streams.get(streamId) ?? [];
    const current: bigint | 'no_stream' = existing.length ? BigInt(existing.length - 1) : 'no_stream';
    const retried = this.idempotentMatch(existing, events, expected);
    if (retried !== null) return { kind: 'idempotent', currentRevision: retried, position: null };
    const accepted = expected === 'any'
      || (expected === 'no_stream' && current === 'no_stream')
      || (expected === 'stream_exists' && current !== 'no_stream')
      || (typeof expected === 'bigint' && current === expected);
    if (!accepted) return { kind: 'wrong_expected_version', current, expected };
    const written = this.write(streamId, events);
    const last = written[written.length - 1];
    return { kind: 'written', currentRevision: BigInt(last.revision), position: last.position };
  }

  /**
   * EventStoreDB treats an append whose event ids are already in the stream at the place the
   * expected revision points to (or, with `any`, anywhere in order) as a retry: it succeeds
   * without writing and without reporting a position.
   */
  private idempotentMatch(existing: LogRecord[], events: ProposedEvent[], expected: Expected): bigint | null {
    let start: number;
    if (expected === 'no_stream') start = 0;
    else if (typeof expected === 'bigint') start = Number(expected) + 1;
    else start = existing.findIndex((record) => record.id === events[0].id);
    if (start < 0 || start + events.length > existing.length) return null;
    const matches = events.every((event, i) => existing[start + i].id === event.id);
    return matches ? BigInt(start + events.length - 1) : null;
  }

  private write(streamId: string, events: ProposedEvent[]): LogRecord[] {
    const stream = this.streams.get(streamId) ?? [];
    this.streams.set(streamId, stream);
    const created = BigInt(Date.now()) * 10_000n + EPOCH_TICKS;
    const written = events.map((event) => {
      const record: LogRecord = { ...event, streamId, revision: stream.length, created, position: this.nextPosition };
      this.nextPosition += RECORD_OVERHEAD + BigInt(event.data.length + event.customMetadata.length + streamId.length);
      stream.push(record);
      this.records.push(record);
      return record;
    });
    this.appended.emit('append', written);
    return written;
  }
}
