import { RecordedEvent } from '../event-store.port';

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value as object)) deepFreeze(inner);
  }
  return value;
}

/**
 * The parsed events of recently read streams, least recently used dropped first, bounded by the
 * number of events held. Reading a case is mostly JSON.parse of its rows (a 200-event case: ~0.4 ms
 * of ~1 ms), and the command path, the access guard and GET /cases/{id} read the same case again
 * and again. Events are immutable once written and a stream only grows, so what is cached stays
 * true; the reader still asks SQLite for rows past the cached head every time (another process may
 * have appended). Cached events are frozen: they are shared by every reader.
 */
export class StreamCache {
  private readonly streams = new Map<string, RecordedEvent[]>();
  private held = 0;

  constructor(private readonly maxEvents: number) {}

  get(streamId: string): RecordedEvent[] | undefined {
    const events = this.streams.get(streamId);
    if (events) {
      // re-insert: Map keeps insertion order, so the first key is the least recently used
      this.streams.delete(streamId);
      this.streams.set(streamId, events);
    }
    return events;
  }

  /** Extends (or starts) a stream's cached prefix with events read after it, in revision order. */
  extend(streamId: string, cached: RecordedEvent[] | undefined, more: RecordedEvent[]): RecordedEvent[] {
    const events = cached ? cached.concat(more) : more;
    // too big to keep (it would evict everything else): handed to this reader only, so not frozen
    if (events.length > this.maxEvents) return events;
    for (const event of more) deepFreeze(event);
    this.held += events.length - (this.streams.get(streamId)?.length ?? 0);
    this.streams.delete(streamId);
    this.streams.set(streamId, events);
    for (const [oldest, dropped] of this.streams) {
      if (this.held <= this.maxEvents) break;
      this.streams.delete(oldest);
      this.held -= dropped.length;
    }
    return events;
  }
}
