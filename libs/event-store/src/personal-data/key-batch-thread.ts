import { Worker } from 'node:worker_threads';
import { DataKey } from './data-key';

const KEY_BYTES = 32;

// The thread's program as text (eval), so the same code runs from dist, the benchmark build and under
// ts-jest; the SQLite driver is the main thread's own, by its resolved path.
const PROGRAM = `
  const { parentPort, workerData } = require('node:worker_threads');
  const Database = require(${JSON.stringify(require.resolve('better-sqlite3'))});
  let write = null;
  // Opened at the first batch, inside its try: a file that cannot be opened fails that batch with its reason.
  const open = () => {
    const db = new Database(workerData.file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('secure_delete = ON');
    db.pragma('busy_timeout = 5000');
    const insert = db.prepare('INSERT INTO data_keys (key_id, key, created_at) VALUES (?, ?, ?) ON CONFLICT (key_id) DO NOTHING');
    return db.transaction((ids, keys, now) => {
      ids.forEach((id, i) => insert.run(id, keys.subarray(i * ${KEY_BYTES}, (i + 1) * ${KEY_BYTES}), now));
    });
  };
  parentPort.on('message', ({ id, ids, keys, now }) => {
    const bytes = keys ? Buffer.from(keys) : null;
    try {
      write ??= open();
      if (bytes) write(ids, bytes, now);
      // The connection's page cache held the keys' pages: let it go (a destroyed key must leave no copy).
      write.database.pragma('shrink_memory');
      parentPort.postMessage({ id });
    } catch (error) {
      parentPort.postMessage({ id, error: String((error && error.message) || error) });
    } finally {
      bytes?.fill(0);
    }
  });`;

interface Waiting { resolve: () => void; reject: (error: Error) => void }
interface Answer { id: number; error?: string }

/**
 * Writes batches of keys on a thread of its own, each in one transaction committed with an fsync
 * (synchronous=FULL on its own connection): 512 rows and their fsync took 3–10 ms of the event loop
 * per batch. A batch's promise settles once its commit returned. The keys cross over as one buffer
 * moved (not copied) to the thread, which zeroes it after the commit; the thread keeps no key.
 * A thread that stops fails the batches it held; the next batch starts another.
 */
export class KeyBatchThread {
  private thread: { worker: Worker; waiting: Map<number, Waiting> } | null = null;
  private nextId = 0;
  private closed = false;

  constructor(private readonly file: string) {}

  /** Starts the thread and opens its connection now, so the first batch ahead does not wait for either. */
  warm(): Promise<void> {
    return this.post({ id: 0 }, []);
  }

  write(batch: DataKey[]): Promise<void> {
    const keys = new Uint8Array(batch.length * KEY_BYTES);
    batch.forEach(({ key }, i) => keys.set(key, i * KEY_BYTES));
    return this.post({ id: 0, ids: batch.map(({ keyId }) => keyId), keys: keys.buffer, now: new Date().toISOString() }, [keys.buffer]);
  }

  private post(message: { id: number; ids?: string[]; keys?: ArrayBuffer; now?: string }, transfer: ArrayBuffer[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`the data-key thread of ${this.file} is closed`));
    const { worker, waiting } = (this.thread ??= this.start());
    const id = ++this.nextId;
    return new Promise<void>((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      worker.postMessage({ ...message, id }, transfer);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const thread = this.thread;
    this.thread = null;
    if (thread) await thread.worker.terminate();
  }

  private start(): { worker: Worker; waiting: Map<number, Waiting> } {
    const worker = new Worker(PROGRAM, { eval: true, workerData: { file: this.file } });
    const thread = { worker, waiting: new Map<number, Waiting>() };
    worker.on('message', ({ id, error }: Answer) => {
      const batch = thread.waiting.get(id);
      thread.waiting.delete(id);
      if (error === undefined) batch?.resolve();
      else batch?.reject(new Error(`writing a batch of data keys failed: ${error}`));
    });
    const stopped = (error: Error) => {
      if (this.thread === thread) this.thread = null;
      for (const batch of thread.waiting.values()) batch.reject(error);
      thread.waiting.clear();
    };
    worker.on('error', (error: unknown) => stopped(new Error(`the data-key thread of ${this.file} failed: ${error instanceof Error ? error.message : String(error)}`)));
    worker.once('exit', (code) => stopped(new Error(`the data-key thread of ${this.file} stopped (exit code ${code})`)));
    // After the listeners (adding a 'message' listener refs the worker again): a batch in flight at
    // exit is only lost, none of its keys having been handed out, and the thread never keeps a process alive.
    worker.unref();
    return thread;
  }
}
