import { EventStore, Position, RecordedEvent } from './event-store.port';

/**
 * The event a stored checkpoint stands on. Positions are store-specific (an SQLite row number, an
 * EventStoreDB log offset) while `migrate` keeps every event's id, stream and revision, so a
 * checkpoint stored with its event can tell whether it still belongs to the store it is used on.
 *
 * Why the event and not an identity of the store (a uuid kept in the store or next to it): a store
 * identity needs a place in each adapter that migrate must NOT copy, answers only "same store?",
 * and is fooled by a store restored from an older backup or a copied SQLite file. The event check
 * answers the question that matters (does this store hold my event at my position?) with one read
 * the port already offers, in both adapters, and also says where the event now is.
 *
 * Why stream + revision and not the event id alone: EventStoreDB has no lookup by event id (short
 * of a server-side projection), while reading a case stream up to a revision is one small read.
 */
export interface CheckpointEvent {
  eventId: string;
  streamId: string;
  revision: number;
}

export const checkpointEventOf = (event: RecordedEvent): CheckpointEvent => ({
  eventId: event.metadata.eventId, streamId: event.streamId, revision: event.revision,
});

export const encodeCheckpointEvent = (event: CheckpointEvent | null): string | null =>
  event === null ? null : JSON.stringify(event);

export const decodeCheckpointEvent = (text: unknown): CheckpointEvent | null =>
  typeof text === 'string' && text !== '' ? (JSON.parse(text) as CheckpointEvent) : null;

/**
 * `same`: the store holds the event at the stored position; the checkpoint is good.
 * `moved`: the store holds the event at another position: the history was migrated here.
 * `absent`: the store does not hold the event: the checkpoint is from another store entirely.
 */
export type CheckpointCheck =
  | { verdict: 'same'; position: Position }
  | { verdict: 'moved'; position: Position }
  | { verdict: 'absent' };

export async function checkCheckpoint(store: EventStore, position: Position, event: CheckpointEvent): Promise<CheckpointCheck> {
  const history = await store.readStream(event.streamId, { toRevision: event.revision });
  const found = history[history.length - 1];
  if (!found || found.revision !== event.revision || found.metadata.eventId !== event.eventId) return { verdict: 'absent' };
  return { verdict: Number(found.position) === Number(position) ? 'same' : 'moved', position: found.position };
}

export function describeCheckpointEvent(event: CheckpointEvent): string {
  return `event ${event.eventId} (${event.streamId}@${event.revision})`;
}
