import { createHash } from 'node:crypto';
import { EventStore, RecordedEvent } from '@civicloop/event-store';

/**
 * A digest of a store's whole history in global order: streams, revisions, types, data and metadata,
 * but not positions, which each store numbers its own way. Two stores with equal digests hold the
 * same events in the same order.
 */
export async function historyHash(store: EventStore, pageSize = 1000): Promise<{ hash: string; events: number }> {
  const hash = createHash('sha256');
  let events = 0;
  for await (const event of allEvents(store, pageSize)) {
    hash.update(canonical([event.streamId, event.revision, event.type, event.data, event.metadata]));
    hash.update('\n');
    events += 1;
  }
  return { hash: hash.digest('hex'), events };
}

export async function* allEvents(store: EventStore, pageSize = 1000, after: number | null = null): AsyncGenerator<RecordedEvent> {
  for (;;) {
    const page = await store.readAll({ after, limit: pageSize });
    yield* page;
    if (page.length < pageSize) return;
    after = page[page.length - 1].position;
  }
}

/** JSON with object keys sorted, so key order (which stores need not keep) does not change the digest. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
