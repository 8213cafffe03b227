import Database from 'better-sqlite3';
import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import type { Worker } from 'node:worker_threads';
import { NewEvent, SqliteEventStore, StoreUnavailable } from '../src';
import { EventRow, toEventRows } from '../src/sqlite/append-rows';
import { asStoreFailure } from '../src/sqlite/store-unavailable';
import { MAX_WAITING_APPENDS, OPEN_RETRY_MS, WriterThread } from '../src/sqlite/writer-thread';

let seq = 0;
const event = (type: string, data: Record<string, unknown> = {}): NewEvent => {
  const eventId = `wf-${++seq}`;
  return {
    type, data: { seq, text: '市民反映：井盖缺失', ...data },
    metadata: {
      eventId, streamId: 'x', occurredAt: '2026-03-01T00:00:00.000Z', actor: { id: 'u', role: 'operator', unitId: null },
      commandId: eventId, correlationId: eventId, causationId: eventId, schemaVersion: 1,
    },
  };
};
const rows = (type: string, data?: Record<string, unknown>): EventRow[] => toEventRows([event(type, data)]);
/** The thread's Worker: a test stands in for a crash by terminating it. */
const workerOf = (writer: WriterThread): Worker => {
  const thread = (writer as unknown as { thread: { worker: Worker } | null }).thread;
  if (!thread) throw new Error('no writer thread is running');
  return thread.worker;
};

/** What the writer thread does when a group, its commit, its file or the thread itself fails. */
describe('SqliteEventStore writer thread, failures', () => {
  let dir: string;
  let file: string;
  let writer: WriterThread | null;
  let reader: SqliteEventStore | null;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'civicloop-wf-'));
    file = join(dir, 'events.sqlite');
    writer = null;
    reader = null;
  });
  afterEach(async () => {
    await writer?.close().catch(() => undefined);
    await reader?.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });
  /** The store makes the file and its schema and reads what the thread wrote; the thread under test writes. */
  const open = (extraPragmas: string[] = []) => {
    reader = new SqliteEventStore(file);
    writer = new WriterThread(file, extraPragmas);
    return { reader, writer };
  };
  const types = async (store: SqliteEventStore) => (await store.readAll()).map((e) => e.type);

  it('a unit that fails with the disk full fails its whole group (SQLite undid the transaction): nothing before or after it is written', async () => {
    reader = new SqliteEventStore(file);
    const probe = new Database(file, { readonly: true });
    const size = Number(probe.pragma('page_count', { simple: true }));
    probe.close();
    writer = new WriterThread(file, [`max_page_count = ${size + 4}`]);
    const outcomes = await Promise.allSettled([
      writer.append('case-a', rows('A'), 'no_stream'),
      writer.append('case-big', rows('BIG', { filler: 'x'.repeat(200_000) }), 'no_stream'),
      writer.append('case-b', rows('B'), 'no_stream'),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    for (const outcome of outcomes) expect(outcome.status === 'rejected' && outcome.reason).toMatchObject({ code: 'SQLITE_FULL' });
    expect(await types(reader)).toEqual([]);
    expect(writer.counts).toEqual({ commits: 0, appends: 0 });
    // the thread goes on: an append that fits is written
    await expect(writer.append('case-a', rows('A2'), 'no_stream')).resolves.toEqual({ written: { revision: 0, position: 1 } });
  });

  it('a failed COMMIT fails every append of its group, or the one alone, and writes none of them', async () => {
    // A deferred foreign key is checked only at COMMIT: an ORPHAN event makes its transaction's commit fail.
    const { reader: store, writer: thread } = open(['foreign_keys = ON']);
    const db = new Database(file);
    db.exec(`CREATE TABLE parent (id INTEGER PRIMARY KEY);
      CREATE TABLE child (p INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED);
      CREATE TRIGGER orphan AFTER INSERT ON events WHEN NEW.type = 'ORPHAN' BEGIN INSERT INTO child (p) VALUES (42); END;`);
    db.close();
    const group = await Promise.allSettled([
      thread.append('case-a', rows('A'), 'no_stream'),
      thread.append('case-o', rows('ORPHAN'), 'no_stream'),
      thread.append('case-b', rows('B'), 'no_stream'),
    ]);
    expect(group.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    for (const outcome of group) {
      expect(outcome.status === 'rejected' && outcome.reason).toMatchObject({ code: 'SQLITE_CONSTRAINT_FOREIGNKEY' });
    }
    await expect(thread.append('case-o', rows('ORPHAN'), 'no_stream')).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT_FOREIGNKEY' });
    expect(await types(store)).toEqual([]);
    expect(thread.counts).toEqual({ commits: 0, appends: 0 });
    await expect(thread.append('case-b', rows('B2'), 'no_stream')).resolves.toMatchObject({ written: { revision: 0 } });
    expect(await types(store)).toEqual(['B2']);
  });

  it('a thread that dies hands the appends it held once more to a new thread, which answers them (written once)', async () => {
    const { reader: store, writer: thread } = open();
    await thread.pragmas(); // the first thread is up
    // Another connection holds the write lock: the thread's commit waits for it, the append stays in flight.
    const holder = new Database(file);
    holder.exec('BEGIN IMMEDIATE');
    const held = rows('HELD');
    const inFlight = thread.append('case-a', held, 'no_stream');
    await nextTurn(); // the append has gone over to the thread
    const terminated = workerOf(thread).terminate(); // stands in for a crash
    await terminated;
    holder.exec('COMMIT');
    holder.close();
    await expect(inFlight).resolves.toMatchObject({ written: { revision: 0 } });
    // a caller's own retry with the same rows gets the same answer, not a second copy
    await expect(thread.append('case-a', held, 'no_stream')).resolves.toMatchObject({ written: { revision: 0 } });
    await expect(thread.append('case-a', rows('NEXT'), 0)).resolves.toMatchObject({ written: { revision: 1 } });
    expect(thread.starts).toBe(2);
    expect(await types(store)).toEqual(['HELD', 'NEXT']);
    await expect(thread.pragmas()).resolves.toEqual({ journalMode: 'wal', synchronous: 2 });
  });

  it('an append whose second thread dies too fails as WriterLost (outcome unknown to the caller), and is not handed on again', async () => {
    const { reader: store, writer: thread } = open();
    await thread.pragmas();
    const holder = new Database(file);
    holder.exec('BEGIN IMMEDIATE');
    try {
      const inFlight = thread.append('case-a', rows('HELD'), 'no_stream');
      const rejected = expect(inFlight).rejects.toMatchObject({ name: 'WriterLost', message: expect.stringMatching(/writer thread .* stopped/) });
      await nextTurn();
      await workerOf(thread).terminate();
      await waitUntil(() => thread.starts === 2 && (thread as unknown as { thread: unknown }).thread !== null);
      await nextTurn(); // the resent append has gone over to the second thread
      await workerOf(thread).terminate();
      await rejected;
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    expect(thread.starts).toBe(2);
    expect(await types(store)).toEqual([]);
  });

  it('a thread that cannot open its file fails the appends with the SQLite error and code; once the file is there, appends are written', async () => {
    writer = new WriterThread(file); // the file does not exist yet: the thread must not create an empty one
    await expect(writer.pragmas()).rejects.toMatchObject({ code: 'SQLITE_CANTOPEN' });
    // for OPEN_RETRY_MS appends fail at once with that error: no thread is started per batch during the outage
    for (let i = 0; i < 5; i++) await expect(writer.append('case-a', rows('A'), 'no_stream')).rejects.toMatchObject({ name: 'SqliteError', code: 'SQLITE_CANTOPEN' });
    expect(writer.starts).toBe(1);
    reader = new SqliteEventStore(file); // makes the file and its schema
    await sleep(OPEN_RETRY_MS + 50);
    await expect(writer.append('case-a', rows('A'), 'no_stream')).resolves.toEqual({ written: { revision: 0, position: 1 } });
    expect(await types(reader)).toEqual(['A']);
    expect(writer.starts).toBe(2);
  });

  it('writerStatus (what /health reports) fails while a stopped thread cannot open the file again, and recovers with it', async () => {
    const store = new SqliteEventStore(file, { writerThread: true });
    reader = store;
    await expect(store.writerStatus()).resolves.toEqual({ journalMode: 'wal', synchronous: 2 });
    renameSync(file, `${file}.moved`); // the store's reading connection keeps the file it opened; a new thread finds none
    await workerOf((store as unknown as { writer: WriterThread }).writer).terminate();
    await expect(store.writerStatus()).rejects.toMatchObject({ code: 'SQLITE_CANTOPEN' });
    await expect(store.append('case-a', [event('A')], 'no_stream')).rejects.toMatchObject({ name: 'StoreUnavailable', code: 'SQLITE_CANTOPEN', outcomeUnknown: false });
    renameSync(`${file}.moved`, file);
    await sleep(OPEN_RETRY_MS + 50);
    await expect(store.writerStatus()).resolves.toEqual({ journalMode: 'wal', synchronous: 2 });
    await expect(store.append('case-a', [event('A')], 'no_stream')).resolves.toEqual({ revision: 0, position: 1 });
    expect(await types(store)).toEqual(['A']);
  });

  it('refuses an append at once, as StoreUnavailable, when MAX_WAITING_APPENDS already wait behind a held write lock; the others are written once it is free', async () => {
    const store = new SqliteEventStore(file, { writerThread: true });
    reader = store;
    await store.writerStatus();
    const holder = new Database(file);
    holder.exec('BEGIN IMMEDIATE'); // another process's transaction: nothing can commit
    try {
      const waiting = Array.from({ length: MAX_WAITING_APPENDS }, (_, i) => store.append(`case-${i}`, [event('W')], 'no_stream'));
      const asked = Date.now();
      await expect(store.append('case-over', [event('OVER')], 'no_stream')).rejects.toMatchObject({
        name: 'StoreUnavailable', outcomeUnknown: false, message: expect.stringMatching(/appends already wait/),
      });
      expect(Date.now() - asked).toBeLessThan(1_000); // at once, not after the lock's 5 s wait
      holder.exec('COMMIT');
      const written = await Promise.allSettled(waiting);
      expect(written.filter((w) => w.status === 'fulfilled')).toHaveLength(MAX_WAITING_APPENDS);
    } finally {
      if (holder.inTransaction) holder.exec('ROLLBACK');
      holder.close();
    }
    expect(await store.readAll({ limit: 10 * MAX_WAITING_APPENDS })).toHaveLength(MAX_WAITING_APPENDS);
  });

  it('names a write lock held past busy_timeout StoreUnavailable (answered 503), not a failure of the append', async () => {
    reader = new SqliteEventStore(file);
    writer = new WriterThread(file, ['busy_timeout = 100']);
    const holder = new Database(file);
    holder.exec('BEGIN IMMEDIATE');
    try {
      const busy: unknown = await writer.append('case-a', rows('A'), 'no_stream').catch((error: unknown) => error);
      expect(busy).toMatchObject({ name: 'SqliteError', code: 'SQLITE_BUSY' });
      const failure = asStoreFailure(busy);
      expect(failure).toBeInstanceOf(StoreUnavailable);
      expect(failure).toMatchObject({ code: 'SQLITE_BUSY', outcomeUnknown: false, retryAfterSeconds: 1 });
      // a full disk needs an operator: callers back off longer
      expect(asStoreFailure(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }))).toMatchObject({ retryAfterSeconds: 30 });
      // an append that was wrong stays what it was
      const constraint = Object.assign(new Error('UNIQUE constraint failed'), { code: 'SQLITE_CONSTRAINT_UNIQUE' });
      expect(asStoreFailure(constraint)).toBe(constraint);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await sleep(10);
  }
}
