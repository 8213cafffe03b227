import Database from 'better-sqlite3';
import { Worker } from 'node:worker_threads';
import type { ExpectedRevision } from '../event-store.port';
import { APPEND_SQL, appendRows, AppendOutcome, EventRow } from './append-rows';
import { AppendRequest, FromWriter, ThreadError, ToWriter, WriterData, writerMain, WriterPragmas } from './writer-program';
import { StoreUnavailable } from '../event-store.port';
import { WriterLost } from './store-unavailable';

/**
 * Appends waiting for their commit (queued and in flight) at most: behind a write lock another
 * process holds, or a disk that stalls, more would only pile up requests and memory (~2 kB each);
 * past it an append is refused at once (503, retry later), as the blocked event loop did before.
 */
export const MAX_WAITING_APPENDS = 2_000;
/** After a thread could not open the file, appends fail at once with that error for this long before another thread tries. */
export const OPEN_RETRY_MS = 1_000;

/** An append handed over and not answered yet; `resent`: already handed to a second thread after the first stopped. */
interface Waiting { request: AppendRequest; resent: boolean; resolve: (outcome: AppendOutcome) => void; reject: (error: Error) => void }

/** One started thread, with the appends posted to it and not answered yet: if it stops, those fail, not the ones queued after. */
interface Thread { worker: Worker; inFlight: Map<number, Waiting>; ready: Promise<WriterPragmas>; closing: (() => void) | null }

// The thread runs the compiled text of writerMain and appendRows, so the same code runs from dist, from
// the benchmark build and under ts-jest. Their names are bound here, not taken from the text, which a
// minifier may rename; both files are kept out of coverage instrumentation (istanbul ignore file).
const PROGRAM = `
  const { parentPort, receiveMessageOnPort, workerData } = require('node:worker_threads');
  const appendRows = (${appendRows.toString()});
  const writerMain = (${writerMain.toString()});
  writerMain(require(${JSON.stringify(require.resolve('better-sqlite3'))}), parentPort, receiveMessageOnPort, appendRows, workerData);`;

/** The error as the thread saw it, with its class and SQLite code (SQLITE_FULL, SQLITE_CONSTRAINT_UNIQUE, ...). */
const fromThread = ({ message, name, code }: ThreadError): Error => {
  if (name === 'SqliteError' && code !== undefined) return new Database.SqliteError(message, code);
  const error = new Error(message);
  return code === undefined ? error : Object.assign(error, { code });
};

/**
 * The event store's write connection on a thread of its own. With synchronous=FULL each commit
 * waits for an fsync (1 to 10 ms on this disk, more under load); on the main thread that wait
 * stopped every request in the process. Here the main thread only hands over rows: appends of one
 * turn of its event loop go over in one message, and all that arrive while a commit is in flight
 * share the next commit. Each append is answered only after the commit that holds it returned, so
 * after its fsync; readers (the main thread's own connection, in WAL mode) see a commit only then.
 * A thread that stops (a crash, a file it cannot open) fails the appends it held, unacknowledged;
 * it keeps nothing between groups, so the next append simply starts another.
 */
export class WriterThread {
  private thread: Thread | null = null;
  private queued = new Map<number, Waiting>();
  private batch: AppendRequest[] = [];
  private scheduled: NodeJS.Immediate | null = null;
  private nextId = 0;
  private closed: Error | null = null;
  private openFailure: { error: Error; until: number } | null = null;
  /** Transactions committed so far, and the appends answered through them. */
  readonly counts = { commits: 0, appends: 0 };
  /** Threads started so far (more than one: a thread stopped and was replaced). */
  starts = 0;

  /** `extraPragmas`: run on the thread's connection after the store's own (tests: max_page_count, foreign_keys). */
  constructor(private readonly file: string, private readonly extraPragmas: string[] = []) {
    this.thread = this.start(); // at once: the pragmas and any failure to open are known before the first append
  }

  /** Settles with the append's outcome once the transaction holding it is committed (fsynced). */
  append(streamId: string, rows: EventRow[], expected: ExpectedRevision): Promise<AppendOutcome> {
    const refused = this.closed ?? this.recentOpenFailure();
    if (refused) return Promise.reject(refused);
    if (this.queued.size + (this.thread?.inFlight.size ?? 0) >= MAX_WAITING_APPENDS) {
      return Promise.reject(new StoreUnavailable(`${MAX_WAITING_APPENDS} appends already wait for the disk`));
    }
    return new Promise<AppendOutcome>((resolve, reject) => {
      const request: AppendRequest = { id: ++this.nextId, streamId, rows, expected };
      this.queued.set(request.id, { request, resent: false, resolve, reject });
      this.batch.push(request);
      // setImmediate: every request whose body arrived in this poll phase reaches its append first
      this.scheduled ??= setImmediate(() => this.post());
    });
  }

  /** The journal mode and synchronous setting of the thread's own connection (starting a thread if none runs). */
  pragmas(): Promise<WriterPragmas> {
    const refused = this.closed ?? this.recentOpenFailure();
    if (refused) return Promise.reject(refused);
    this.thread ??= this.start();
    return this.thread.ready;
  }

  /** Commits what was accepted, then stops the thread. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.post();
    this.closed = new Error('the event store is closed');
    const thread = this.thread;
    if (!thread) return;
    thread.worker.ref();
    const exited = new Promise<void>((resolve) => thread.worker.once('exit', () => resolve()));
    const answered = new Promise<void>((resolve) => { thread.closing = resolve; });
    thread.worker.postMessage({ close: true } satisfies ToWriter);
    await Promise.race([answered, exited]);
    await exited;
  }

  private start(): Thread {
    this.starts += 1;
    const worker = new Worker(PROGRAM, { eval: true, workerData: { file: this.file, sql: APPEND_SQL, pragmas: this.extraPragmas } satisfies WriterData });
    let markReady: (pragmas: WriterPragmas) => void = () => undefined;
    let failReady: (error: Error) => void = () => undefined;
    const ready = new Promise<WriterPragmas>((resolve, reject) => { markReady = resolve; failReady = reject; });
    ready.catch(() => undefined); // whoever asks for the pragmas sees the failure; nobody asking is no unhandled rejection
    const thread: Thread = { worker, inFlight: new Map(), ready, closing: null };
    const lost = (error: Error) => {
      failReady(error);
      this.lost(thread, error);
    };
    worker.on('message', (message: FromWriter) => {
      if ('ready' in message) markReady(message.ready);
      else if ('failedToOpen' in message) {
        const error = fromThread(message.failedToOpen);
        this.openFailure = { error, until: Date.now() + OPEN_RETRY_MS };
        lost(error);
      } else this.settle(thread, message);
    });
    // The appends a thread held when it stopped may have been committed: WriterLost says so.
    worker.on('error', (error) => lost(new WriterLost(`the SQLite writer thread of ${this.file} failed: ${error.message}`)));
    worker.once('exit', (code) => lost(new WriterLost(`the SQLite writer thread of ${this.file} stopped (exit code ${code})`)));
    // After the listeners: adding a 'message' listener refs the worker again. An idle writer does
    // not keep the process alive; one with appends in flight does (post refs it).
    worker.unref();
    return thread;
  }

  private post(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = null;
    if (this.batch.length === 0) return;
    const refused = this.recentOpenFailure();
    if (refused) {
      for (const { reject } of this.queued.values()) reject(refused);
      this.queued.clear();
      this.batch = [];
      return;
    }
    const thread = (this.thread ??= this.start());
    for (const [id, waiting] of this.queued) thread.inFlight.set(id, waiting);
    this.queued.clear();
    thread.worker.ref();
    thread.worker.postMessage({ appends: this.batch } satisfies ToWriter);
    this.batch = [];
  }

  private settle(thread: Thread, { answers, committed, closed }: Extract<FromWriter, { answers: unknown }>): void {
    if (committed) {
      this.counts.commits += 1;
      this.counts.appends += answers.length;
    }
    for (const [id, outcome] of answers) {
      const waiting = thread.inFlight.get(id);
      if (!waiting) continue;
      thread.inFlight.delete(id);
      if ('error' in outcome) waiting.reject(fromThread(outcome.error));
      else waiting.resolve(outcome);
    }
    if (thread.inFlight.size === 0 && !thread.closing) thread.worker.unref();
    if (closed) thread.closing?.();
  }

  /**
   * No answer will come from this thread. A thread that stopped (WriterLost) may or may not have
   * committed what it held: each of those appends is handed once more, with the same rows and event
   * ids, to the next thread, which answers with the first commit's result if there was one (appendRows
   * finds the event ids) or writes it now; so the caller learns the outcome instead of a "maybe".
   * An append whose second thread stopped too, and every append of a thread that could not open the
   * file (nothing was written), fail. Appends made from now on go to a new thread.
   */
  private lost(thread: Thread, error: Error): void {
    const resend = error instanceof WriterLost && !this.closed;
    for (const [id, waiting] of thread.inFlight) {
      if (resend && !waiting.resent) {
        this.queued.set(id, { ...waiting, resent: true });
        this.batch.push(waiting.request);
      } else waiting.reject(error);
    }
    thread.inFlight.clear();
    if (this.thread === thread) this.thread = null;
    if (this.batch.length) this.scheduled ??= setImmediate(() => this.post());
  }

  /** The error of a thread that could not open the file less than OPEN_RETRY_MS ago, if any. */
  private recentOpenFailure(): Error | null {
    if (this.openFailure && Date.now() < this.openFailure.until) return this.openFailure.error;
    this.openFailure = null;
    return null;
  }
}
