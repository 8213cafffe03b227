import type Database from 'better-sqlite3';
import { MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { ExpectedRevision } from '../event-store.port';
import { APPEND_SQL, appendRows, AppendOutcome, EventRow } from './append-rows';

interface AppendRequest { id: number; streamId: string; rows: EventRow[]; expected: ExpectedRevision }
type ToWriter = { appends: AppendRequest[] } | { close: true };
type Answer = [id: number, outcome: AppendOutcome | { error: string }];
interface FromWriter { answers: Answer[]; closed: boolean }
interface Waiting { resolve: (outcome: AppendOutcome) => void; reject: (error: Error) => void }

/**
 * The writer thread's whole program. Each message it finds waiting is one group: everything posted
 * while its previous commit (and that commit's fsync) ran is taken at once (receiveMessageOnPort)
 * and written in one IMMEDIATE transaction, one SAVEPOINT per append, so a conflict or a failure
 * undoes its own append alone; a group of one needs no savepoint. Self-contained like appendRows
 * (its source text is what the thread runs): what it needs comes in as arguments.
 */
function writerMain(
  Sqlite: typeof Database, port: MessagePort, receive: typeof receiveMessageOnPort,
  append: typeof appendRows, { file, sql }: { file: string; sql: typeof APPEND_SQL },
): void {
  const db = new Sqlite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  const statements = { head: db.prepare(sql.head), byEventId: db.prepare(sql.byEventId), insert: db.prepare(sql.insert) };
  const failed = (id: number, error: unknown): Answer => [id, { error: error instanceof Error ? error.message : String(error) }];
  // Called inside `group`'s transaction, a better-sqlite3 transaction is a SAVEPOINT.
  const unit = db.transaction((r: AppendRequest) => append(statements, r.streamId, r.rows, r.expected));
  const answer = (r: AppendRequest, run: (r: AppendRequest) => AppendOutcome): Answer => {
    try {
      return [r.id, run(r)];
    } catch (error) {
      return failed(r.id, error);
    }
  };
  const group = db.transaction((requests: AppendRequest[]) => requests.map((r) => answer(r, unit)));
  port.on('message', (first: ToWriter) => {
    const requests: AppendRequest[] = [];
    let closed = false;
    for (let message: ToWriter | undefined = first; message; message = receive(port)?.message as ToWriter | undefined) {
      if ('close' in message) closed = true;
      else requests.push(...message.appends);
    }
    let answers: Answer[] = [];
    if (requests.length === 1) answers = [answer(requests[0], (r) => unit.immediate(r))];
    else if (requests.length > 1) {
      try {
        answers = group.immediate(requests);
      } catch (error) {
        // BEGIN or COMMIT failed (disk full, I/O error): nothing of the group was written
        answers = requests.map((r) => failed(r.id, error));
      }
    }
    port.postMessage({ answers, closed } satisfies FromWriter);
    if (closed) {
      db.close();
      port.close();
    }
  });
}

/**
 * The event store's write connection on a thread of its own. With synchronous=FULL each commit
 * waits for an fsync (1 to 10 ms on this disk, more under load); on the main thread that wait
 * stopped every request in the process. Here the main thread only hands over rows: appends of one
 * turn of its event loop go over in one message, and all that arrive while a commit is in flight
 * share the next commit. Each append is answered only after the commit that holds it returned, so
 * after its fsync; readers (the main thread's own connection, in WAL mode) see a commit only then.
 */
export class WriterThread {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, Waiting>();
  private batch: AppendRequest[] = [];
  private scheduled: NodeJS.Immediate | null = null;
  private nextId = 0;
  private stopped: Error | null = null;
  private readonly exited: Promise<void>;
  private closing: (() => void) | null = null;
  /** Transactions committed so far, and the appends answered through them. */
  readonly counts = { commits: 0, appends: 0 };

  constructor(file: string) {
    // eval: the thread runs the compiled text of writerMain and appendRows, so the same code runs
    // from dist, from the benchmark build and under ts-jest (a coverage run would break it: keep it uninstrumented).
    const program = `
      const { parentPort, receiveMessageOnPort, workerData } = require('node:worker_threads');
      ${appendRows.toString()}
      (${writerMain.toString()})(require(${JSON.stringify(require.resolve('better-sqlite3'))}),
        parentPort, receiveMessageOnPort, appendRows, workerData);`;
    this.worker = new Worker(program, { eval: true, workerData: { file, sql: APPEND_SQL } });
    this.worker.unref(); // an idle writer does not keep the process alive; one with appends waiting does
    this.worker.on('message', (message: FromWriter) => this.settle(message));
    this.worker.on('error', (error) => this.stop(error));
    this.exited = new Promise((resolve) => this.worker.once('exit', (code) => {
      this.stop(new Error(`the SQLite writer thread of ${file} stopped (exit code ${code})`));
      resolve();
    }));
  }

  /** Settles with the append's outcome once the transaction holding it is committed (fsynced). */
  append(streamId: string, rows: EventRow[], expected: ExpectedRevision): Promise<AppendOutcome> {
    const stopped = this.stopped;
    if (stopped) return Promise.reject(stopped);
    return new Promise<AppendOutcome>((resolve, reject) => {
      const id = ++this.nextId;
      this.waiting.set(id, { resolve, reject });
      if (this.waiting.size === 1) this.worker.ref();
      this.batch.push({ id, streamId, rows, expected });
      // setImmediate: every request whose body arrived in this poll phase reaches its append first
      this.scheduled ??= setImmediate(() => this.post());
    });
  }

  /** Commits what was accepted, then stops the thread. */
  async close(): Promise<void> {
    if (this.stopped) return;
    this.post();
    this.worker.ref();
    const closed = new Promise<void>((resolve) => { this.closing = resolve; });
    this.worker.postMessage({ close: true } satisfies ToWriter);
    await Promise.race([closed, this.exited]);
    this.stop(new Error('the event store is closed'));
    await this.exited;
  }

  private post(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = null;
    if (this.batch.length === 0) return;
    this.worker.postMessage({ appends: this.batch } satisfies ToWriter);
    this.batch = [];
  }

  private settle({ answers, closed }: FromWriter): void {
    if (answers.length) this.counts.commits += 1;
    for (const [id, outcome] of answers) {
      const waiting = this.waiting.get(id);
      if (!waiting) continue;
      this.waiting.delete(id);
      this.counts.appends += 1;
      if ('error' in outcome) waiting.reject(new Error(outcome.error));
      else waiting.resolve(outcome);
    }
    if (this.waiting.size === 0 && !this.closing) this.worker.unref();
    if (closed) this.closing?.();
  }

  /** No answer will come (the thread failed or was closed): every waiting append fails, none is acknowledged. */
  private stop(error: Error): void {
    this.stopped ??= error;
    for (const { reject } of this.waiting.values()) reject(error);
    this.waiting.clear();
    this.batch = [];
  }
}
