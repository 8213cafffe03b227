import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { casePartOf, ConcurrencyError, NewEvent, RecordedEvent, SqliteEventStore } from '../src';

let seq = 0;
const event = (type: string, occurredAt = '2026-03-01T00:00:00.000Z', data: Record<string, unknown> = {}): NewEvent => ({
  type,
  data: { n: ++seq, ...data },
  metadata: {
    eventId: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    streamId: 'x', occurredAt, actor: { id: 'u', role: 'operator', unitId: null },
    commandId: 'c', correlationId: 'c', causationId: 'c', schemaVersion: 1,
  },
});

describe.each([
  ['on the event loop', false],
  ['on a writer thread', true],
])('SqliteEventStore, appends written %s', (_, writerThread) => {
  let dir: string;
  let file: string;
  let store: SqliteEventStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'civicloop-es-'));
    file = join(dir, 'events.sqlite');
    store = new SqliteEventStore(file, { writerThread });
  });
  afterEach(async () => {
    await store.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('is durable against a power cut: WAL with synchronous=FULL', async () => {
    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    // synchronous is per connection: the one that commits appends reports its own (the thread's, with a thread)
    await expect(store.writerStatus()).resolves.toEqual({ journalMode: 'wal', synchronous: 2 });
  });

  it('refuses a stale expected revision and writes nothing', async () => {
    await store.append('case-a', [event('A'), event('B')], 'no_stream');
    await expect(store.append('case-a', [event('C')], 0)).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(store.append('case-a', [event('C')], 'no_stream')).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(store.append('case-new', [event('C')], 3)).rejects.toThrow(/expected revision 3, found no_stream/);
    expect((await store.readStream('case-a')).map((e) => e.type)).toEqual(['A', 'B']);
    expect(await store.readStream('case-new')).toEqual([]);
    await expect(store.append('case-a', [event('C')], 1)).resolves.toMatchObject({ revision: 2 });
  });

  it('appends several events atomically: a failure half way writes none of them', async () => {
    await store.append('case-a', [event('A')], 'no_stream');
    const unserialisable = event('BAD', undefined, { big: BigInt(1) as unknown as number });
    await expect(store.append('case-a', [event('B'), event('C'), unserialisable], 0)).rejects.toThrow();
    expect((await store.readStream('case-a')).map((e) => e.type)).toEqual(['A']);
    expect(await store.headPosition()).toBe(1);
  });

  it('treats a retried append (same event ids) as done, writing nothing twice', async () => {
    const batch = [event('A'), event('B')];
    const first = await store.append('case-a', batch, 'no_stream');
    const again = await store.append('case-a', batch, 'no_stream');
    expect(again).toEqual(first);
    expect(await store.readStream('case-a')).toHaveLength(2);
  });

  it('reads a stream up to a revision and up to a time', async () => {
    await store.append('case-a', [
      event('A', '2026-03-01T01:00:00.000Z'), event('B', '2026-03-01T02:00:00.000Z'), event('C', '2026-03-01T03:00:00.000Z'),
    ], 'no_stream');
    expect((await store.readStream('case-a', { toRevision: 1 })).map((e) => e.type)).toEqual(['A', 'B']);
    expect((await store.readStream('case-a', { toRevision: 0 })).map((e) => e.revision)).toEqual([0]);
    expect((await store.readStream('case-a', { toTime: '2026-03-01T02:30:00.000Z' })).map((e) => e.type)).toEqual(['A', 'B']);
    expect((await store.readStream('case-a', { toTime: '2026-03-01T02:00:00.000Z' })).map((e) => e.type)).toEqual(['A', 'B']);
    expect(await store.readStream('case-a', { toTime: '2026-03-01T00:59:59.999Z' })).toEqual([]);
  });

  it('orders events of all streams globally and pages from a position', async () => {
    await store.append('case-a', [event('A1')], 'no_stream');
    await store.append('case-b', [event('B1'), event('B2')], 'no_stream');
    await store.append('case-a', [event('A2')], 0);
    const all = await store.readAll();
    expect(all.map((e) => `${e.streamId}/${e.revision}/${e.type}`)).toEqual(['case-a/0/A1', 'case-b/0/B1', 'case-b/1/B2', 'case-a/1/A2']);
    expect(all.map((e) => e.position)).toEqual([...all.map((e) => e.position)].sort((x, y) => x - y));
    expect((await store.readAll({ after: all[1].position, limit: 2 })).map((e) => e.type)).toEqual(['B2', 'A2']);
  });

  it('lean reads give readAll\'s page with only the metadata fields asked for', async () => {
    await store.append('case-a', [event('A1'), event('A2')], 'no_stream');
    await store.append('case-b', [event('B1')], 'no_stream');
    const all = await store.readAll({ after: 1 });
    const lean = await store.readAllLean({ after: 1, limit: 10, fields: ['occurredAt', 'actor.role', 'actor.unitId', 'caseId'] });
    expect(lean).toEqual(all.map((e) => ({
      position: e.position, streamId: e.streamId, revision: e.revision, eventId: e.metadata.eventId, type: e.type, data: e.data,
      fields: [e.metadata.occurredAt, 'operator', null, null],
    })));
    // Paths go to the database as parameters and must be plain names: nothing else is taken.
    await expect(store.readAllLean({ fields: ["caseId') FROM events; --"] })).rejects.toThrow(/plain names/);
  });

  it('a lean read by part hands over only that part\'s cases, each case in exactly one part', async () => {
    const cases = Array.from({ length: 40 }, (_, i) => `案件-${i}`);
    for (const caseId of cases) await store.append(`case-${caseId}`, [event('X1'), event('X2')], 'no_stream');
    // A case named by its metadata, not its stream; and a stream of no case, in no part.
    await store.append('case-stream-name', [{ ...event('Y1'), metadata: { ...event('Y1').metadata, caseId: 'named-in-metadata' } }], 'no_stream');
    await store.append('checkpoints', [event('Z1')], 'no_stream');
    // A case id in the metadata that is no text: the case is the stream's, as caseIdOf has it.
    await store.append('case-numbered', [{ ...event('N1'), metadata: { ...event('N1').metadata, caseId: 42 as unknown as string } }], 'no_stream');
    const all = await store.readAllLean({ fields: ['caseId'], limit: 1000 });
    const caseOf = (e: { streamId: string; fields: unknown[] }) => (typeof e.fields[0] === 'string' ? e.fields[0] : e.streamId.slice('case-'.length));
    const seen: string[] = [];
    for (let index = 0; index < 3; index++) {
      // Small pages: paging goes on after the part's last event of a page.
      const part = [];
      for (let after = 0; ;) {
        const page = await store.readAllLean({ fields: ['caseId'], after, limit: 7, part: { index, of: 3 } });
        if (!page.length) break;
        part.push(...page);
        after = page[page.length - 1].position;
      }
      expect(part.every((e) => casePartOf(caseOf(e), 3) === index)).toBe(true);
      expect(part.map((e) => e.position)).toEqual([...part.map((e) => e.position)].sort((a, b) => a - b));
      seen.push(...part.map((e) => e.eventId));
    }
    expect(seen.sort()).toEqual(all.filter((e) => e.streamId !== 'checkpoints').map((e) => e.eventId).sort());
    expect(all.find((e) => e.type === 'Y1')!.fields[0]).toBe('named-in-metadata');
  });

  it('a subscription catches up from a position, then goes live', async () => {
    await store.append('case-a', [event('A1'), event('A2'), event('A3')], 'no_stream');
    const first = (await store.readAll())[0].position;
    const seen: RecordedEvent[] = [];
    let live = false;
    const subscription = store.subscribeToAll({ after: first, handler: (e) => { seen.push(e); }, onLive: () => { live = true; } });
    await waitFor(() => live);
    expect(seen.map((e) => e.type)).toEqual(['A2', 'A3']);
    await store.append('case-b', [event('B1')], 'no_stream');
    await waitFor(() => seen.length === 3);
    expect(seen.map((e) => e.type)).toEqual(['A2', 'A3', 'B1']);
    await subscription.stop();
  });

  it('keeps the data across a restart', async () => {
    await store.append('case-a', [event('A1'), event('A2')], 'no_stream');
    await store.close();
    store = new SqliteEventStore(file, { writerThread });
    expect((await store.readStream('case-a')).map((e) => e.type)).toEqual(['A1', 'A2']);
    await expect(store.append('case-a', [event('A3')], 1)).resolves.toEqual({ revision: 2, position: 3 });
  });

  it('keeps every acknowledged append when the writing process is killed (SIGKILL)', async () => {
    const built = resolve(__dirname, '../../../dist/libs/event-store/src/index.js');
    if (!existsSync(built)) throw new Error('run `npm run build` first: this test drives the built adapter in a child process');
    const script = `
      const { SqliteEventStore } = require(${JSON.stringify(built)});
      const store = new SqliteEventStore(${JSON.stringify(file)}, { writerThread: ${writerThread} });
      // a dist built before the writer thread would ignore the option and test the old writer
      if (${writerThread} && typeof store.writerStatus !== 'function') { console.error('stale dist: no writer thread; run npm run build'); process.exit(3); }
      let i = 0;
      (async () => { for (;;) {
        const id = 'k-' + (++i);
        await store.append('case-k', [{ type: 'K', data: { i }, metadata: { eventId: id, streamId: 'case-k', occurredAt: new Date().toISOString(),
          actor: { id: 'u', role: 'operator', unitId: null }, commandId: id, correlationId: id, causationId: id, schemaVersion: 1 } }], 'any');
        process.stdout.write(i + '\\n');
      } })();`;
    await store.close();
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let acknowledged = 0;
    await new Promise<void>((done) => {
      child.stdout.on('data', (chunk: Buffer) => {
        const lines = chunk.toString().trim().split('\n');
        acknowledged = Number(lines[lines.length - 1]);
        if (acknowledged >= 200) { child.kill('SIGKILL'); done(); }
      });
    });
    await new Promise((r) => child.on('exit', r));
    store = new SqliteEventStore(file);
    const kept = await store.readStream('case-k');
    expect(kept.length).toBeGreaterThanOrEqual(acknowledged);
    expect(kept.map((e) => e.data.i)).toEqual(kept.map((_, index) => index + 1));
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}
