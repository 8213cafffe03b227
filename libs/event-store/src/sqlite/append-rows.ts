/* istanbul ignore file -- the writer thread runs appendRows's source text (Function#toString): coverage counters would break it; the blank line below keeps tsc from dropping this with the elided import */

import type Database from 'better-sqlite3';
import type { AppendResult, ExpectedRevision, NewEvent } from '../event-store.port';

/** An event as its row holds it: data and metadata already JSON, so it crosses to a writer thread as plain strings. */
export interface EventRow {
  eventId: string;
  type: string;
  data: string;
  metadata: string;
  occurredAt: string;
}

/** Serialised on the caller's side: an event that cannot be written as JSON fails its own append, before any transaction. */
export const toEventRows = (events: NewEvent[]): EventRow[] => events.map((event) => ({
  eventId: event.metadata.eventId,
  type: event.type,
  data: JSON.stringify(event.data),
  metadata: JSON.stringify(event.metadata),
  occurredAt: event.metadata.occurredAt,
}));

/** The statements an append runs, by name; the writer thread prepares the same text on its own connection. */
export const APPEND_SQL = {
  head: 'SELECT MAX(revision) AS revision FROM events WHERE stream_id = ?',
  byEventId: 'SELECT stream_id, revision, position FROM events WHERE event_id = ?',
  insert: `INSERT INTO events (event_id, stream_id, revision, type, data, metadata, occurred_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
};

export type AppendStatements = Record<keyof typeof APPEND_SQL, Database.Statement>;

/** A conflict is an answer, not a throw: the writer thread sends it back as data and the caller raises ConcurrencyError. */
export type AppendOutcome = { written: AppendResult } | { conflict: number | 'no_stream' };

/**
 * One append inside an open transaction: a retry (same event ids, same stream) answers with the first
 * result and writes nothing; otherwise the expected revision is checked against the stream's head and
 * the rows follow it. It must stay self-contained (no imports, no outer names): the writer thread runs
 * its source text (see writer-thread.ts).
 */
export function appendRows(statements: AppendStatements, streamId: string, rows: EventRow[], expected: ExpectedRevision): AppendOutcome {
  type Found = { stream_id: string; revision: number; position: number } | undefined;
  const found = rows.map((row) => statements.byEventId.get(row.eventId) as Found);
  if (found.some((row) => row !== undefined)) {
    const last = found[found.length - 1];
    if (found.some((row) => row === undefined || row.stream_id !== streamId) || last === undefined) {
      throw new Error(`append to ${streamId}: some event ids were already written elsewhere`);
    }
    return { written: { revision: last.revision, position: last.position } };
  }
  const head = (statements.head.get(streamId) as { revision: number | null }).revision;
  const actual = head === null ? 'no_stream' : head;
  if (expected !== 'any' && expected !== actual) return { conflict: actual };
  let revision = head ?? -1;
  let position = 0;
  for (const row of rows) {
    revision += 1;
    const info = statements.insert.run(row.eventId, streamId, revision, row.type, row.data, row.metadata, row.occurredAt);
    position = Number(info.lastInsertRowid);
  }
  return { written: { revision, position } };
}
