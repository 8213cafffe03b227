import Database from 'better-sqlite3';
import { EventStore } from '@civicloop/event-store';
import { contentHash, storedHash, storedPrevHash, storedTextHash } from '../event-hash';

/** One event as verify needs it: where it is, its hash recomputed now, and the hashes it carries. */
export interface LogEntry {
  streamId: string;
  revision: number;
  position: number;
  hash: string;
  stored: string | undefined;
  prevHash: string | undefined;
}

/** Pages of the log in global order. */
export type LogPages = AsyncIterable<LogEntry[]>;

/** Any store, through the port: every event parsed and re-encoded canonically. */
export async function* storeEntries(store: EventStore, pageSize = 2000): LogPages {
  let after: number | null = null;
  for (;;) {
    const page = await store.readAll({ after, limit: pageSize });
    yield page.map((e) => ({
      streamId: e.streamId, revision: e.revision, position: e.position, hash: contentHash(e), stored: storedHash(e), prevHash: storedPrevHash(e),
    }));
    if (page.length < pageSize) return;
    after = page[page.length - 1].position;
  }
}

type RawRow = [position: number, streamId: string, revision: number, type: string, data: string, metadata: string];

/**
 * The embedded SQLite file read directly (read-only): the JSON text of a sealed event is the canonical
 * encoding that was hashed, so its hash is one sha256 over the stored bytes (storedTextHash). Only an
 * event whose text is not in that form (pre-chain, or edited) is parsed and re-encoded.
 */
export async function* sqliteFileEntries(file: string, pageSize = 5000): LogPages {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    // Pages by position (not one long iterate(): a step per row into SQLite costs more than a page).
    const rows = db.prepare('SELECT position, stream_id, revision, type, data, metadata FROM events WHERE position > ? ORDER BY position LIMIT ?').raw(true);
    for (let after = -1; ;) {
      const raw = rows.all(after, pageSize) as RawRow[];
      const page = raw.map(([position, streamId, revision, type, data, metadata]): LogEntry => {
        const fast = storedTextHash(streamId, revision, type, data, metadata);
        if (fast) return { streamId, revision, position, hash: fast.hash, stored: fast.stored, prevHash: fast.prevHash };
        const event = { streamId, revision, type, data: JSON.parse(data), metadata: JSON.parse(metadata) };
        return { streamId, revision, position, hash: contentHash(event), stored: storedHash(event), prevHash: storedPrevHash(event) };
      });
      yield page;
      if (raw.length < pageSize) return;
      after = raw[raw.length - 1][0];
    }
  } finally {
    db.close();
  }
}
