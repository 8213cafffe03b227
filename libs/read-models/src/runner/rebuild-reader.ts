import { CasePart, CheckpointEvent, checkpointEventOf, EventStore, LeanEvent, RecordedEvent } from '@civicloop/event-store';
import { CASE_STREAM_PREFIX, CASE_TYPES, CaseEventEnvelope, isCaseType, toEnvelope } from '../projection';

/** One page of the log as a rebuild needs it: the case envelopes, and where the page ends. */
export interface EnvelopePage {
  envelopes: CaseEventEnvelope[];
  /** Events read, case events or not. */
  events: number;
  position: number;
  checkpointEvent: CheckpointEvent;
}

/** The metadata fields a projection reads (what toEnvelope takes from the metadata). */
const ENVELOPE_FIELDS = ['caseId', 'occurredAt', 'actor.unitId'] as const;

/**
 * Reads the whole log in pages. A store that offers lean reads (SQLite, PostgreSQL) hands back
 * raw rows with the three metadata fields a projection uses picked out by the database: per event
 * one parse of `data` and one envelope instead of a RecordedEvent, its parsed metadata and a copy
 * into an envelope (a third of a rebuild's time went there); so does the personal-data store that
 * decrypts, when the store under it does. Any other store (EventStoreDB) is read through readAll.
 */
export async function* readEnvelopePages(store: EventStore, batchSize: number, until?: number, part?: CasePart): AsyncGenerator<EnvelopePage> {
  yield* (store.readAllLean ? readLeanPages(store, batchSize, until, part) : readThroughPort(store, batchSize, until));
}

/** The event at `position` as a checkpoint names it, or null when the store holds none there. */
export async function checkpointEventAt(store: EventStore, position: number): Promise<CheckpointEvent | null> {
  const [event] = await store.readAll({ after: position - 1, limit: 1 });
  return event?.position === position ? checkpointEventOf(event) : null;
}

/** A page cut at `until` (several folds of one log stop at the same event, see rebuildInThreads). */
function upTo<E extends { position: number }>(page: E[], until: number | undefined): E[] {
  if (until === undefined || page.length === 0 || page[page.length - 1].position <= until) return page;
  return page.filter((event) => event.position <= until);
}

/** Pages of envelopes through the store's readAll (any store). */
export async function* readThroughPort(store: EventStore, batchSize: number, until?: number): AsyncGenerator<EnvelopePage> {
  let after: number | null = null;
  for (;;) {
    const read = await store.readAll({ after, limit: batchSize });
    const page: RecordedEvent[] = upTo(read, until);
    if (page.length === 0) return;
    const last = page[page.length - 1];
    after = Number(last.position);
    yield { envelopes: page.map(toEnvelope).filter((e) => e !== null), events: page.length, position: after, checkpointEvent: checkpointEventOf(last) };
    if (page.length < read.length || (until !== undefined && after >= until)) return;
  }
}

/**
 * Pages of envelopes through the store's lean reads; the same envelopes as readThroughPort. With
 * `part`, the store may leave out the other parts' events (the pages then hold and count only this
 * part's; the caller still filters by part).
 */
export async function* readLeanPages(store: EventStore, batchSize: number, until?: number, part?: CasePart): AsyncGenerator<EnvelopePage> {
  if (!store.readAllLean) throw new Error('this event store offers no lean reads');
  let after: number | null = null;
  for (;;) {
    const read = await store.readAllLean({ after, limit: batchSize, fields: ENVELOPE_FIELDS, ...(part ? { part } : {}) });
    const page: LeanEvent[] = upTo(read, until);
    if (page.length === 0) return;
    const envelopes: CaseEventEnvelope[] = [];
    for (const event of page) {
      if (!event.streamId.startsWith(CASE_STREAM_PREFIX)) continue;
      const type = CASE_TYPES.get(event.type);
      if (type === undefined) continue;
      const [caseId, occurredAt, actorUnitId] = event.fields;
      // The same fields toEnvelope gives, from the same sources, in one literal (every envelope one shape).
      const envelope = {
        type,
        data: event.data,
        caseId: typeof caseId === 'string' ? caseId : event.streamId.slice(CASE_STREAM_PREFIX.length),
        at: String(occurredAt),
        position: event.position,
        actorUnitId: typeof actorUnitId === 'string' ? actorUnitId : null,
      };
      if (isCaseType(envelope)) envelopes.push(envelope);
    }
    const last = page[page.length - 1];
    after = last.position;
    yield { envelopes, events: page.length, position: after, checkpointEvent: { eventId: last.eventId, streamId: last.streamId, revision: last.revision } };
    // Cut at `until`, or ended on it: nothing after it is wanted.
    if (page.length < read.length || (until !== undefined && after >= until)) return;
  }
}
