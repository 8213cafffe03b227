import Database from 'better-sqlite3';
import { CaseEvent, isCaseEvent } from '@civicloop/domain';
import { CheckpointEvent, checkpointEventOf, EventStore, SqliteEventStore } from '@civicloop/event-store';
import { CASE_STREAM_PREFIX, CaseEventEnvelope, toEnvelope } from '../projection';

/** One page of the log as a rebuild needs it: the case envelopes, and where the page ends. */
export interface EnvelopePage {
  envelopes: CaseEventEnvelope[];
  /** Events read, case events or not. */
  events: number;
  position: number;
  checkpointEvent: CheckpointEvent;
}

type RawRow = [position: number, streamId: string, revision: number, eventId: string, type: string, data: string,
  caseId: unknown, occurredAt: string, actorUnitId: string | null];

/**
 * Reads the whole log in pages. From a SQLite store's file (no cipher in front of it) the pages
 * come straight from its own read-only connection in raw rows, and SQLite picks the three metadata
 * fields a projection uses out of the JSON: per event one object and one parse of `data` instead
 * of a RecordedEvent, its parsed metadata and a copy into an envelope (a third of a rebuild's time
 * went there). Any other store (PostgreSQL, EventStoreDB, the personal-data store that decrypts)
 * is read through its port.
 */
export async function* readEnvelopePages(store: EventStore, batchSize: number): AsyncGenerator<EnvelopePage> {
  if (store instanceof SqliteEventStore && store.file !== ':memory:') {
    yield* readSqliteFile(store.file, batchSize);
    return;
  }
  yield* readThroughPort(store, batchSize);
}

/** Pages of envelopes through the store's port (any store). */
export async function* readThroughPort(store: EventStore, batchSize: number): AsyncGenerator<EnvelopePage> {
  let after: number | null = null;
  for (;;) {
    const page = await store.readAll({ after, limit: batchSize });
    if (page.length === 0) return;
    const last = page[page.length - 1];
    after = Number(last.position);
    yield { envelopes: page.map(toEnvelope).filter((e) => e !== null), events: page.length, position: after, checkpointEvent: checkpointEventOf(last) };
  }
}

/** Pages of envelopes straight from a SQLite event store's file. */
export function* readSqliteFile(file: string, batchSize: number): Generator<EnvelopePage> {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const page = db.prepare(`SELECT position, stream_id, revision, event_id, type, data, json_extract(metadata, '$.caseId'),
      json_extract(metadata, '$.occurredAt'), json_extract(metadata, '$.actor.unitId') FROM events WHERE position > ? ORDER BY position LIMIT ?`).raw(true);
    for (let after = 0; ;) {
      const rows = page.all(after, batchSize) as RawRow[];
      if (rows.length === 0) return;
      const envelopes: CaseEventEnvelope[] = [];
      for (const [position, streamId, , , type, data, caseId, occurredAt, actorUnitId] of rows) {
        if (!streamId.startsWith(CASE_STREAM_PREFIX)) continue;
        const event = { type, data: JSON.parse(data) as Record<string, unknown> };
        if (!isCaseEvent(event)) continue;
        const caseEvent: CaseEvent = event;
        // The same fields toEnvelope gives, from the same sources.
        envelopes.push({
          ...caseEvent,
          caseId: typeof caseId === 'string' ? caseId : streamId.slice(CASE_STREAM_PREFIX.length),
          at: occurredAt,
          position,
          actorUnitId: actorUnitId ?? null,
        });
      }
      const [position, streamId, revision, eventId] = rows[rows.length - 1];
      after = position;
      yield { envelopes, events: rows.length, position, checkpointEvent: { eventId, streamId, revision } };
    }
  } finally {
    db.close();
  }
}
