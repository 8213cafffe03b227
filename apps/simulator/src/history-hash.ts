import { createHash } from 'node:crypto';
import { EventStore } from '@civicloop/event-store';

/** sha256 over every event in global order: (streamId, revision, type, data, metadata). Equal hashes, equal histories. */
export async function historyHash(store: EventStore): Promise<{ hash: string; events: number }> {
  const hash = createHash('sha256');
  let after: number | null = null;
  let events = 0;
  for (;;) {
    const page = await store.readAll({ after, limit: 5000 });
    if (page.length === 0) break;
    for (const e of page) hash.update(`${JSON.stringify([e.streamId, e.revision, e.type, e.data, e.metadata])}\n`);
    events += page.length;
    after = page[page.length - 1].position;
  }
  return { hash: hash.digest('hex'), events };
}
