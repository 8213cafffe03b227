import { EventStore, Position } from '@civicloop/event-store';

/**
 * Events a reader at `position` has yet to apply, counted exactly up to `threshold` + 1. A lag in
 * positions is not a count of events (PostgreSQL positions step by 4,096 per transaction), so a
 * gap wider than the threshold is confirmed by reading at most threshold + 1 events after it.
 */
export async function eventsBehind(store: EventStore, position: Position | null, positionsBehind: number, threshold: number): Promise<number> {
  if (positionsBehind <= threshold) return positionsBehind;
  return (await store.readAll({ after: position, limit: threshold + 1 })).length;
}
