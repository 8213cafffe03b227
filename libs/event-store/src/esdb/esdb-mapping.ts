import { Position as EsdbPosition, ResolvedEvent } from '@eventstore/db-client';
import { EventMetadata, Position, RecordedEvent } from '../event-store.port';

/**
 * The port's Position is EventStoreDB's commit position: the byte offset of the event's record in
 * the transaction log. It orders every event of $all, and every event written over gRPC has its
 * own commit position equal to its prepare position (they differ only for the legacy TCP
 * "explicit transactions", which we never use). It stays below 2^53 (Number.MAX_SAFE_INTEGER)
 * until the log holds 8 PiB, orders of magnitude beyond a city's lifetime of cases; the
 * conversion refuses anything larger rather than silently losing precision.
 */
export function fromEsdbPosition(position: EsdbPosition): Position {
  if (position.commit > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`EventStoreDB commit position ${position.commit} exceeds 2^53`);
  }
  return Number(position.commit);
}

export const esdbPosition = (position: Position): EsdbPosition => ({
  commit: BigInt(position),
  prepare: BigInt(position),
});

/** Our events only: system streams and system event types (`$`-prefixed) are EventStoreDB's own. */
export function isOwnEvent(resolved: ResolvedEvent): boolean {
  const event = resolved.event;
  return !!event && !event.type.startsWith('$') && !event.streamId.startsWith('$');
}

export function toRecorded(resolved: ResolvedEvent): RecordedEvent {
  const event = resolved.event!;
  return {
    streamId: event.streamId,
    revision: Number(event.revision),
    position: fromEsdbPosition(event.position!),
    type: event.type,
    data: event.data as Record<string, unknown>,
    metadata: event.metadata as unknown as EventMetadata,
  };
}
