/* istanbul ignore file -- the writer thread runs this file's source text (Function#toString): coverage counters would break it; the blank line below keeps tsc from dropping this with the elided import */

import type Database from 'better-sqlite3';
import type { MessagePort, receiveMessageOnPort } from 'node:worker_threads';
import type { ExpectedRevision } from '../event-store.port';
import type { APPEND_SQL, appendRows, AppendOutcome, EventRow } from './append-rows';

export interface AppendRequest { id: number; streamId: string; rows: EventRow[]; expected: ExpectedRevision }
export type ToWriter = { appends: AppendRequest[] } | { close: true };
/** An error as it crosses the thread boundary: structured clone keeps neither its class nor its `code`. */
export interface ThreadError { message: string; name: string; code?: string }
export type Answer = [id: number, outcome: AppendOutcome | { error: ThreadError }];
/** What the writing connection runs with, so a test can check the thread's own settings. */
export type WriterPragmas = { journalMode: string; synchronous: number }; // a type, not an interface: it must fit the port's Record
export type FromWriter =
  | { ready: WriterPragmas }
  | { failedToOpen: ThreadError }
  | { answers: Answer[]; committed: boolean; closed: boolean };
export interface WriterData { file: string; sql: typeof APPEND_SQL; pragmas: string[] }

/**
 * The writer thread's whole program. Each message it finds waiting is one group: everything posted
 * while its previous commit (and that commit's fsync) ran is taken at once (receiveMessageOnPort)
 * and written in one IMMEDIATE transaction, one SAVEPOINT per append, so a conflict or a failure
 * undoes its own append alone; a group of one needs no savepoint. Self-contained like appendRows
 * (its source text is what the thread runs): what it needs comes in as arguments.
 */
export function writerMain(
  Sqlite: typeof Database, port: MessagePort, receive: typeof receiveMessageOnPort,
  append: typeof appendRows, { file, sql, pragmas }: WriterData,
): void {
  const toThreadError = (error: unknown): ThreadError => {
    if (!(error instanceof Error)) return { message: String(error), name: 'Error' };
    const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
    return { message: error.message, name: error.name, ...(code !== undefined && { code }) };
  };
  let db: Database.Database;
  try {
    // fileMustExist: the store created it with its schema; a file gone since must not come back empty
    db = new Sqlite(file, { fileMustExist: true });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    for (const pragma of pragmas) db.pragma(pragma);
  } catch (error) {
    port.postMessage({ failedToOpen: toThreadError(error) } satisfies FromWriter);
    port.close();
    return;
  }
  port.postMessage({
    ready: { journalMode: String(db.pragma('journal_mode', { simple: true })), synchronous: Number(db.pragma('synchronous', { simple: true })) },
  } satisfies FromWriter);
  const statements = { head: db.prepare(sql.head), byEventId: db.prepare(sql.byEventId), insert: db.prepare(sql.insert) };
  const failed = (id: number, error: unknown): Answer => [id, { error: toThreadError(error) }];
  // Called inside `group`'s transaction, a better-sqlite3 transaction is a SAVEPOINT.
  const unit = db.transaction((r: AppendRequest) => append(statements, r.streamId, r.rows, r.expected));
  const inGroup = (r: AppendRequest): Answer => {
    try {
      return [r.id, unit(r)];
    } catch (error) {
      // Some errors (disk full, I/O) make SQLite undo the whole transaction, not the savepoint: the
      // units before are gone and the ones after would each commit alone, so the whole group fails.
      if (!db.inTransaction) throw error;
      return failed(r.id, error);
    }
  };
  const group = db.transaction((requests: AppendRequest[]) => requests.map(inGroup));
  const write = (requests: AppendRequest[]): { answers: Answer[]; committed: boolean } => {
    try {
      // A group of one needs no savepoint (two statements less per append): its transaction is its own.
      const answers = requests.length === 1 ? [[requests[0].id, unit.immediate(requests[0])] satisfies Answer] : group.immediate(requests);
      return { answers, committed: true };
    } catch (error) {
      // BEGIN or COMMIT failed, or the transaction was undone: nothing of the group was written
      return { answers: requests.map((r) => failed(r.id, error)), committed: false };
    }
  };
  port.on('message', (first: ToWriter) => {
    const requests: AppendRequest[] = [];
    let closed = false;
    for (let message: ToWriter | undefined = first; message; message = receive(port)?.message as ToWriter | undefined) {
      if ('close' in message) closed = true;
      else requests.push(...message.appends);
    }
    const written = requests.length ? write(requests) : { answers: [], committed: false };
    port.postMessage({ ...written, closed } satisfies FromWriter);
    if (closed) {
      db.close();
      port.close();
    }
  });
}
