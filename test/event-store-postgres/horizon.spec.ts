import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { PostgresEventStore, RecordedEvent, Subscription } from '@civicloop/event-store';
import { caseEvent, eventually } from '../contract/event-store.contract';
import { PostgresServer, startPostgres } from '../support/postgres-server';

jest.setTimeout(60_000);

const at = (second: number) => new Date(Date.UTC(2026, 0, 5, 9, 0, second)).toISOString();
const newStream = () => `case-${randomUUID()}`;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The commit-order hazard of positions/transaction ids, on a real PostgreSQL: an event written by a
 * transaction that commits late must reach subscribers, before the events of transactions that
 * started after it, and what a transaction elsewhere on the server does to subscriptions.
 */
describe('PostgreSQL event store: late commits and the visibility horizon', () => {
  let server: PostgresServer;
  let url: string;
  const closing: { close(): Promise<void> }[] = [];
  const subscriptions: Subscription[] = [];

  beforeAll(async () => {
    server = await startPostgres();
    url = await server.createDatabase('events');
    await server.createDatabase('read_models');
  });
  afterEach(async () => {
    for (const s of subscriptions.splice(0)) await s.stop();
    for (const c of closing.splice(0).reverse()) await c.close();
  });
  afterAll(() => server?.stop());

  const open = async (options: Parameters<typeof PostgresEventStore.connect>[1] = {}) => {
    const store = await PostgresEventStore.connect(url, options);
    closing.push(store);
    return store;
  };
  const follow = (store: PostgresEventStore, after: number | null, streams: Set<string>) => {
    const seen: RecordedEvent[] = [];
    subscriptions.push(store.subscribeToAll({ after, handler: (e) => { if (streams.has(e.streamId)) seen.push(e); } }));
    return seen;
  };
  /** What a reader without the horizon sees: every committed row, in position order. */
  const naiveRead = async (after: number | null) => {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ stream_id: string }>('SELECT stream_id FROM events WHERE position > $1 ORDER BY position', [after ?? -1]);
      return rows.map((r) => r.stream_id);
    } finally {
      await client.end();
    }
  };

  it('holds back an event committed after an older transaction still open, then delivers both in position order', async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => { release = resolve; });
    let holding = false;
    const slow = await open({ beforeCommit: async () => { holding = true; await gate; } });
    const fast = await open();
    const start = await fast.headPosition();
    const [early, late] = [newStream(), newStream()];
    const seen = follow(fast, start, new Set([early, late]));

    // `early` takes its transaction id first but commits last; `late` commits in between.
    const slowAppend = slow.append(early, [caseEvent(early, 'CaseReceived', at(0))], 'no_stream');
    await eventually(() => holding, 'the slow append inside its transaction');
    const lateResult = await fast.append(late, [caseEvent(late, 'CaseReceived', at(1))], 'no_stream');

    expect(await naiveRead(start)).toEqual([late]); // committed, and a position-only reader would pass it
    expect(await fast.headPosition()).toBe(lateResult.position);
    await pause(500);
    expect(seen).toEqual([]);
    expect(await fast.readAll({ after: start })).toEqual([]);

    release();
    const earlyResult = await slowAppend;
    await eventually(() => seen.length === 2, 'both events after the slow commit');
    expect(seen.map((e) => e.streamId)).toEqual([early, late]);
    expect(earlyResult.position).toBeLessThan(lateResult.position);
    expect((await fast.readAll({ after: start })).map((e) => e.streamId)).toEqual([early, late]);
  });

  it('a transaction holding an id in ANOTHER database of the same server stalls subscriptions until it ends (the documented limit)', async () => {
    const store = await open();
    const other = new Client({ connectionString: server.urlFor('read_models') });
    await other.connect();
    try {
      await other.query('CREATE TABLE IF NOT EXISTS rebuild (n int)');
      const start = await store.headPosition();
      const stream = newStream();
      const seen = follow(store, start, new Set([stream]));
      // A long read-model rebuild in one transaction: it has written, so it holds a transaction id.
      await other.query('BEGIN');
      await other.query('INSERT INTO rebuild VALUES (1)');
      const appended = await store.append(stream, [caseEvent(stream, 'CaseReceived', at(0))], 'no_stream');
      await pause(1500);
      expect(seen).toEqual([]);
      expect(await store.headPosition()).toBe(appended.position); // appends go on; only readers wait
      await other.query('COMMIT');
      await eventually(() => seen.length === 1, 'the event once the other transaction ended');
    } finally {
      await other.end();
    }
  });

  it('a long read-only transaction (a report, pg_dump) does not stall subscriptions', async () => {
    const store = await open();
    const reader = new Client({ connectionString: url });
    await reader.connect();
    try {
      await reader.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await reader.query('SELECT count(*) FROM events');
      const start = await store.headPosition();
      const stream = newStream();
      const seen = follow(store, start, new Set([stream]));
      await store.append(stream, [caseEvent(stream, 'CaseReceived', at(0))], 'no_stream');
      await eventually(() => seen.length === 1, 'the event while the read-only transaction is open');
    } finally {
      await reader.query('COMMIT');
      await reader.end();
    }
  });

  it('concurrent appends to one stream: with `any` all land at distinct revisions; at one expected revision exactly one wins', async () => {
    const stores = [await open(), await open()];
    const stream = newStream();
    await stores[0].append(stream, [caseEvent(stream, 'CaseReceived', at(0))], 'no_stream');
    const anyResults = await Promise.all(Array.from({ length: 12 }, (_, i) =>
      stores[i % 2].append(stream, [caseEvent(stream, `Note${i}`, at(i + 1))], 'any')));
    expect(anyResults.map((r) => r.revision).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));

    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, (_, i) =>
      stores[i % 2].append(stream, [caseEvent(stream, `Accept${i}`, at(30))], 12)));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes.filter((x): x is PromiseRejectedResult => x.status === 'rejected')) {
      expect(o.reason).toMatchObject({ name: 'ConcurrencyError', expected: 12, actual: 13 });
    }
    expect(await stores[0].readStream(stream)).toHaveLength(14);
  });

  it('the same append retried concurrently is written once and every caller gets the first result', async () => {
    const stores = [await open(), await open()];
    const stream = newStream();
    const events = [caseEvent(stream, 'CaseReceived', at(0)), caseEvent(stream, 'CaseDispatched', at(0))];
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => stores[i % 2].append(stream, events, 'no_stream')));
    expect(new Set(results.map((r) => JSON.stringify(r))).size).toBe(1);
    expect(await stores[0].readStream(stream)).toHaveLength(2);
  });

  it('close() ends the subscriptions still running instead of leaving them polling a closed pool', async () => {
    const store = await PostgresEventStore.connect(url);
    let live = false;
    const subscription = store.subscribeToAll({ after: await store.headPosition(), handler: () => undefined, onLive: () => { live = true; } });
    await eventually(() => live, 'the subscription live');
    const warn = jest.spyOn(console, 'warn');
    try {
      await store.close();
      await pause(800); // past the 500 ms poll: a subscription left running would have read and warned
      await subscription.stop(); // still safe to call
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it('keeps hostile and Chinese text exactly (NUL, emoji, quotes), and refuses an oversized append whole', async () => {
    const store = await open();
    const stream = newStream();
    const text = '漏水\u0000 楼道灯坏了 😡 "quoted" \\ back\'slash \u2028';
    await store.append(stream, [caseEvent(stream, 'CaseReceived', at(0), { description: text, nested: { list: [1.5, null, true] } })], 'no_stream');
    const [read] = await store.readStream(stream);
    expect(read.data).toMatchObject({ description: text, nested: { list: [1.5, null, true] } });

    const huge = Array.from({ length: 4097 }, (_, i) => caseEvent(stream, `E${i}`, at(1)));
    await expect(store.append(stream, huge, 0)).rejects.toThrow('an append holds 1 to 4096 events, not 4097');
    const twice = caseEvent(stream, 'NoteAdded', at(2));
    await expect(store.append(stream, [twice, twice], 0)).rejects.toThrow('the same event id twice in one append');
    expect(await store.readStream(stream)).toHaveLength(1);
  });
});
