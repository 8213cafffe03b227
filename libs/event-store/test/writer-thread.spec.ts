import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { ConcurrencyError, NewEvent, RecordedEvent, SqliteEventStore } from '../src';

let seq = 0;
const event = (type: string): NewEvent => {
  const eventId = `wt-${++seq}`;
  return {
    type, data: { seq, text: '市民反映：路灯不亮' },
    metadata: {
      eventId, streamId: 'x', occurredAt: '2026-03-01T00:00:00.000Z', actor: { id: 'u', role: 'operator', unitId: null },
      commandId: eventId, correlationId: eventId, causationId: eventId, schemaVersion: 1,
    },
  };
};

/** The service's event store: appends written by a thread of their own, grouped while a commit is in flight. */
describe('SqliteEventStore with a writer thread', () => {
  let dir: string;
  let file: string;
  let store: SqliteEventStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'civicloop-wt-'));
    file = join(dir, 'events.sqlite');
    store = new SqliteEventStore(file, { writerThread: true });
  });
  afterEach(async () => {
    await store.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits many concurrent appends to different and the same streams in one transaction; the one conflict fails alone', async () => {
    await store.append('case-s', [event('S0')], 'no_stream');
    const seen: RecordedEvent[] = [];
    const subscription = store.subscribeToAll({ handler: (e) => { seen.push(e); } });
    const before = store.appendCounts();
    const outcomes = await Promise.allSettled([
      ...Array.from({ length: 20 }, (_, i) => store.append(`case-${i}`, [event('A'), event('B')], 'no_stream')),
      store.append('case-s', [event('S1')], 0),
      store.append('case-s', [event('S2')], 1), // sees S1, written earlier in the same transaction
      store.append('case-s', [event('LATE')], 0), // read revision 0 like S1, which won: a conflict
      store.append('case-s', [event('S3'), event('S4')], 2),
    ]);
    expect(store.appendCounts()).toEqual({ commits: before.commits + 1, appends: before.appends + 24 });
    expect(outcomes.map((o) => o.status)).toEqual([...Array(22).fill('fulfilled'), 'rejected', 'fulfilled']);
    const conflict = outcomes[22].status === 'rejected' ? outcomes[22].reason : null;
    expect(conflict).toBeInstanceOf(ConcurrencyError);
    expect(conflict).toMatchObject({ streamId: 'case-s', expected: 0, actual: 2 });
    // Positions follow the order the appends were made in, with no gap: the commit order.
    const positions = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value.position] : []));
    expect(positions).toEqual([...Array.from({ length: 20 }, (_, i) => 3 + 2 * i), 42, 43, 45]);
    expect((await store.readStream('case-s')).map((e) => e.type)).toEqual(['S0', 'S1', 'S2', 'S3', 'S4']);
    await waitFor(() => seen.length >= 45, 15_000);
    await subscription.stop();
    expect(seen.map((e) => e.position)).toEqual(Array.from({ length: 45 }, (_, i) => i + 1)); // each once, in order
  });

  it('keeps the event loop free during a commit and groups the appends made meanwhile into the next one', async () => {
    // Another connection holds the write lock: the thread's first commit waits for it (busy_timeout).
    const holder = new Database(file);
    holder.exec('BEGIN IMMEDIATE');
    const pending: Promise<unknown>[] = [];
    for (let turn = 0; turn < 3; turn++) {
      for (let i = 0; i < 5; i++) pending.push(store.append(`case-${turn}-${i}`, [event('A')], 'no_stream'));
      await nextTurn(); // each turn's appends go over as a message of their own
    }
    let turns = 0;
    while (turns < 20) { await nextTurn(); turns += 1; } // the event loop keeps turning while the thread waits
    expect(store.appendCounts().appends).toBe(0);
    holder.exec('COMMIT');
    holder.close();
    await Promise.all(pending);
    const { commits, appends } = store.appendCounts();
    expect(appends).toBe(15);
    expect(commits).toBeLessThanOrEqual(2); // the first message's group, then all that waited behind it
    expect(await store.readAll()).toHaveLength(15);
  });

  it('loses no acknowledged append when the process dies in the middle of grouped commits (SIGKILL)', async () => {
    const built = resolve(__dirname, '../../../dist/libs/event-store/src/index.js');
    if (!existsSync(built)) throw new Error('run `npm run build` first: this test drives the built adapter in a child process');
    await store.close();
    // 16 writers at once over 4 streams, each reading the head before it appends (some conflict and retry).
    const script = `
      const { SqliteEventStore, ConcurrencyError } = require(${JSON.stringify(built)});
      const store = new SqliteEventStore(${JSON.stringify(file)}, { writerThread: true });
      // a dist built before the writer thread would ignore the option and test the old writer
      if (typeof store.writerStatus !== 'function') { console.error('stale dist: no writer thread; run npm run build'); process.exit(3); }
      let i = 0;
      const writer = async (w) => { for (;;) {
        const streamId = 'case-' + (w % 4), id = 'k-' + w + '-' + (++i);
        const head = (await store.readStream(streamId)).length - 1;
        try {
          await store.append(streamId, [{ type: 'K', data: { w }, metadata: { eventId: id, streamId, occurredAt: new Date().toISOString(),
            actor: { id: 'u', role: 'operator', unitId: null }, commandId: id, correlationId: id, causationId: id, schemaVersion: 1 } }],
            head < 0 ? 'no_stream' : head);
          process.stdout.write(id + '\\n');
        } catch (error) { if (!(error instanceof ConcurrencyError)) throw error; }
      } };
      for (let w = 0; w < 16; w++) writer(w);`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const acknowledged: string[] = [];
    try {
      await new Promise<void>((done, fail) => {
        let rest = '';
        child.stdout.on('data', (chunk: Buffer) => {
          const lines = (rest + chunk.toString()).split('\n');
          rest = lines.pop() ?? '';
          acknowledged.push(...lines);
          if (acknowledged.length >= 300) { child.kill('SIGKILL'); done(); }
        });
        child.on('exit', (code) => fail(new Error(`the writing process stopped by itself (exit code ${code})`)));
      });
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    await new Promise((r) => (child.exitCode === null && child.signalCode === null ? child.on('exit', r) : r(null)));
    store = new SqliteEventStore(file, { writerThread: true });
    const kept = await store.readAll({ limit: 100_000 });
    const ids = new Set(kept.map((e) => e.metadata.eventId));
    expect(acknowledged.filter((id) => !ids.has(id))).toEqual([]);
    expect(kept.map((e) => e.position)).toEqual([...kept.map((e) => e.position)].sort((a, b) => a - b));
    for (let s = 0; s < 4; s++) {
      const revisions = kept.filter((e) => e.streamId === `case-${s}`).map((e) => e.revision);
      expect(revisions).toEqual(revisions.map((_, index) => index));
    }
  });

  it('an idle writer thread does not keep a process alive that opened the store and never closed it', async () => {
    const built = resolve(__dirname, '../../../dist/libs/event-store/src/index.js');
    if (!existsSync(built)) throw new Error('run `npm run build` first: this test drives the built adapter in a child process');
    for (const then of ['', 'await store.writerStatus();']) {
      const script = `(async () => {
        const { SqliteEventStore } = require(${JSON.stringify(built)});
        const store = new SqliteEventStore(${JSON.stringify(file)}, { writerThread: true });
        if (typeof store.writerStatus !== 'function') process.exit(3);
        ${then}
      })();`;
      const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
      try {
        const code = await new Promise<number | null>((done) => {
          const timer = setTimeout(() => done(-1), 10_000);
          child.on('exit', (exitCode) => { clearTimeout(timer); done(exitCode); });
        });
        expect({ then, code }).toEqual({ then, code: 0 });
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}
