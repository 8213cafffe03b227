import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NewEvent, SqliteEventStore } from '../src';

let seq = 0;
const event = (type: string): NewEvent => ({
  type,
  data: { seq: ++seq, list: ['a'] },
  metadata: {
    eventId: `sc-${seq}`, streamId: 'x', occurredAt: `2026-03-01T00:00:${String(seq % 60).padStart(2, '0')}.000Z`,
    actor: { id: 'u', role: 'operator', unitId: null }, commandId: 'c', correlationId: 'c', causationId: 'c', schemaVersion: 1,
  },
});

/** Stream reads are served from parsed events kept in memory, and are never stale for it. */
describe('SqliteEventStore stream cache', () => {
  let dir: string;
  let file: string;
  let store: SqliteEventStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'civicloop-sc-'));
    file = join(dir, 'events.sqlite');
    store = new SqliteEventStore(file);
  });
  afterEach(async () => {
    await store.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('sees what another process appended after the stream was cached', async () => {
    await store.append('case-a', [event('A'), event('B')], 'no_stream');
    expect((await store.readStream('case-a')).map((e) => e.type)).toEqual(['A', 'B']);
    const other = new SqliteEventStore(file); // the worker process, say
    await other.append('case-a', [event('C')], 1);
    await other.close();
    expect((await store.readStream('case-a')).map((e) => e.type)).toEqual(['A', 'B', 'C']);
    expect((await store.readStream('case-a', { toRevision: 1 })).map((e) => e.type)).toEqual(['A', 'B']);
    expect((await store.readStream('case-a', { toRevision: 5 })).map((e) => e.type)).toEqual(['A', 'B', 'C']);
  });

  it('hands every reader its own array of frozen events, so no reader can change what another reads', async () => {
    await store.append('case-a', [event('A'), event('B')], 'no_stream');
    const first = await store.readStream('case-a');
    first.pop();
    expect(() => { (first[0].data as { seq: number }).seq = 99; }).toThrow(TypeError);
    expect(() => { (first[0].data.list as string[]).push('b'); }).toThrow(TypeError);
    expect(() => { first[0].metadata.actor.id = 'someone else'; }).toThrow(TypeError);
    const second = await store.readStream('case-a');
    expect(second.map((e) => e.type)).toEqual(['A', 'B']);
    expect(second[0].data).toEqual({ seq: seq - 1, list: ['a'] });
  });

  it('answers the same with the cache off, and holds no more events than it is given', async () => {
    const small = new SqliteEventStore(join(dir, 'small.sqlite'), { cachedEvents: 3 });
    const uncached = new SqliteEventStore(join(dir, 'small.sqlite'), { cachedEvents: 0 });
    await small.append('case-a', [event('A1'), event('A2')], 'no_stream');
    await small.append('case-b', [event('B1'), event('B2')], 'no_stream');
    for (const stream of ['case-a', 'case-b', 'case-a', 'case-b']) {
      expect(await small.readStream(stream)).toEqual(await uncached.readStream(stream));
    }
    const cache = (small as unknown as { cache: { streams: Map<string, unknown[]>; held: number } }).cache;
    expect(cache.held).toBeLessThanOrEqual(3);
    expect([...cache.streams.values()].reduce((n, events) => n + events.length, 0)).toBe(cache.held);
    expect(await small.readStream('case-none')).toEqual([]);
    expect(cache.streams.has('case-none')).toBe(false);
    await small.close();
    await uncached.close();
  });
});
