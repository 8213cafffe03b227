import { RecordedEvent } from '@civicloop/event-store';
import { contentHash, linkHashOf, storedHash, storedPrevHash } from '../event-hash';

export type BreakKind = 'changed' | 'deleted' | 'inserted' | 'reordered';

/** The first event where a history stops being the one that was written, and how. */
export interface Break {
  kind: BreakKind;
  streamId: string;
  revision: number;
  /** Global position of the event named (for a deletion: the event that now follows the hole). */
  position: number | null;
  detail: string;
}

/**
 * Walks one stream in revision order and names its first break. Each event's stored prevHash says
 * which event it was written after, which tells the kinds apart: a hole in the revisions or a link to
 * a hash no longer there is a deletion; an event the next one skips over was inserted; a link to a
 * later event of the stream is a reordering; a good link with a wrong own hash is changed content.
 */
export function classifyStream(events: RecordedEvent[]): Break | null {
  const hashes = events.map((e) => storedHash(e));
  let sealed = false;
  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    const at = { streamId: event.streamId, revision: event.revision, position: event.position };
    if (event.revision !== i) {
      return { kind: 'deleted', streamId: event.streamId, revision: i, position: event.position,
        detail: `revision ${i} is missing (the stream goes from ${i - 1} to ${event.revision})` };
    }
    const expectedPrev = linkHashOf(events[i - 1]);
    const own = hashes[i];
    const prev = storedPrevHash(event);
    if (own === undefined) {
      if (!sealed) continue; // written before the chain existed
      return { kind: 'inserted', ...at, detail: 'an unsealed event inside a sealed stream' };
    }
    sealed = true;
    const linked = prev === expectedPrev;
    const intact = contentHash(event) === own;
    if (linked && intact) continue;
    const later = hashes.findIndex((h, j) => j > i && h === prev);
    if (later !== -1) return { kind: 'reordered', ...at, detail: `it was written after revision ${later}, which now comes after it` };
    const next = events[i + 1];
    if (next && storedPrevHash(next) === expectedPrev) {
      return { kind: 'inserted', ...at, detail: `the next event (revision ${next.revision}) was written right after revision ${i - 1}` };
    }
    if (linked) return { kind: 'changed', ...at, detail: 'its content no longer matches the hash it was written with' };
    const earlier = hashes.findIndex((h, j) => j < i - 1 && h === prev);
    if (earlier !== -1) {
      return { kind: 'inserted', streamId: event.streamId, revision: earlier + 1, position: events[earlier + 1].position,
        detail: `revision ${i} was written right after revision ${earlier}` };
    }
    if (!intact && i > 0 && hashes.slice(0, i).includes(prev)) {
      return { kind: 'changed', ...at, detail: 'its content and link no longer match what was written' };
    }
    return { kind: 'deleted', ...at, detail: `the event it was written after (hash ${prev?.slice(0, 12) ?? '—'}…) is no longer in the stream` };
  }
  return null;
}
