import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConcurrencyError, NewEvent, SqliteEventStore } from '../src';
import { GroupCommit } from '../src/sqlite/group-commit';

let seq = 0;
const event = (type: string, eventId = `gc-${++seq}`): NewEvent => ({
  type,
  data: { seq },
  metadata: {
    eventId, streamId: 'x', occurredAt: '2026-03-01T00:00:00.000Z', actor: { id: 'u', role: 'operator', unitId: null },
    commandId: 'c', correlationId: 'c', causationId: 'c', schemaVersion: 1,
  },
});

/** Appends issued in the same turn of the event loop share one commit; each keeps its own outcome. */
describe.each([
  ['on the event loop', false],
  ['on a writer thread', true],
])('SqliteEventStore group commit, %s', (_, writerThread) => {
  let dir: string;
  let file: string;
  let store: SqliteEventStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'civicloop-gc-'));
    file = join(dir, 'events.sqlite');
    store = new SqliteEventStore(file, { writerThread });
  });
  afterEach(async () => {
    await store.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits concurrent appends to several streams together, each answered with its own revision and position', async () => {
    const results = await Promise.all(['a', 'b', 'c'].map((s) => store.append(`case-${s}`, [event('A'), event('B')], 'no_stream')));
    expect(results).toEqual([{ revision: 1, position: 2 }, { revision: 1, position: 4 }, { revision: 1, position: 6 }]);
    expect((await store.readAll()).map((e) => `${e.streamId}/${e.revision}`))
      .toEqual(['case-a/0', 'case-a/1', 'case-b/0', 'case-b/1', 'case-c/0', 'case-c/1']);
  });

  it('a stale expected revision fails only its own append; the others in the group commit', async () => {
    await store.append('case-a', [event('A')], 'no_stream');
    const outcomes = await Promise.allSettled([
      store.append('case-a', [event('B')], 0),
      store.append('case-a', [event('C')], 0), // same revision read: loses to the first, as if run after it
      store.append('case-b', [event('D')], 'no_stream'),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrencyError);
    expect((await store.readStream('case-a')).map((e) => e.type)).toEqual(['A', 'B']);
    expect((await store.readStream('case-b')).map((e) => e.type)).toEqual(['D']);
  });

  it('a failure half way through one append undoes that append alone', async () => {
    const bad = { ...event('BAD'), data: { big: BigInt(1) as unknown as number } };
    const twice = event('B2'); // its second row breaks the unique event id after the first was written
    const outcomes = await Promise.allSettled([
      store.append('case-a', [event('A1')], 'no_stream'),
      store.append('case-b', [event('B1'), bad], 'no_stream'),
      store.append('case-b', [twice, twice], 'no_stream'),
      store.append('case-c', [event('C1')], 'no_stream'),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    // the error keeps its class and SQLite code, also when it comes from the writer thread
    expect((outcomes[2] as PromiseRejectedResult).reason).toMatchObject({
      name: 'SqliteError', code: 'SQLITE_CONSTRAINT_UNIQUE', message: expect.stringMatching(/UNIQUE/),
    });
    expect((await store.readAll()).map((e) => e.type)).toEqual(['A1', 'C1']);
  });

  it('a retry of an append in the same group is answered with the first result and writes nothing twice', async () => {
    const batch = [event('A'), event('B')];
    const [first, again] = await Promise.all([
      store.append('case-a', batch, 'no_stream'),
      store.append('case-a', batch, 'no_stream'),
    ]);
    expect(again).toEqual(first);
    expect(await store.readStream('case-a')).toHaveLength(2);
  });

  it('answers an append only after its group is committed, and close() commits what was accepted', async () => {
    const pending = store.append('case-a', [event('A')], 'no_stream');
    const other = new Database(file, { readonly: true });
    const visible = () => (other.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n;
    expect(visible()).toBe(0); // accepted, not yet committed, not yet answered
    await store.close();
    await expect(pending).resolves.toEqual({ revision: 0, position: 1 });
    expect(visible()).toBe(1);
    other.close();
  });

});

/** GroupCommit itself (the event-loop writer): the writer thread's own checks are in writer-thread*.spec.ts. */
describe('GroupCommit', () => {
  let dir: string;

  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'civicloop-gc-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the units of one turn of the event loop in one transaction: none is visible outside before the last ran', async () => {
    const db = new Database(join(dir, 'group.sqlite'));
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (v INTEGER)');
    const outside = new Database(join(dir, 'group.sqlite'), { readonly: true });
    const count = (conn: Database.Database) => (conn.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n;
    const group = new GroupCommit(db);
    const seen = await Promise.all([1, 2, 3].map((v) => group.run(() => {
      db.prepare('INSERT INTO t (v) VALUES (?)').run(v);
      return { inside: count(db), outside: count(outside) };
    })));
    expect(seen).toEqual([{ inside: 1, outside: 0 }, { inside: 2, outside: 0 }, { inside: 3, outside: 0 }]);
    expect(count(outside)).toBe(3);
    outside.close();
    db.close();
  });

  it('fails every caller of a group whose commit fails, writing none of them', async () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (v INTEGER)');
    // A deferred foreign key is checked only at COMMIT: the second unit makes the whole commit fail.
    db.pragma('foreign_keys = ON');
    db.exec('CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (p INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)');
    const group = new GroupCommit(db);
    const outcomes = await Promise.allSettled([
      group.run(() => db.prepare('INSERT INTO t (v) VALUES (1)').run().changes),
      group.run(() => db.prepare('INSERT INTO child (p) VALUES (42)').run().changes),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect((db.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n).toBe(0);
    db.close();
  });

  it('a unit that fails with the disk full (SQLite undoes the whole transaction) fails the group: nothing before or after it is written', async () => {
    const db = new Database(join(dir, 'full.sqlite'));
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (v TEXT)');
    const pages = (db.pragma('page_count', { simple: true }) as number);
    db.pragma(`max_page_count = ${pages + 4}`);
    const group = new GroupCommit(db);
    const insert = (v: string) => () => db.prepare('INSERT INTO t (v) VALUES (?)').run(v).changes;
    const outcomes = await Promise.allSettled([group.run(insert('a')), group.run(insert('x'.repeat(200_000))), group.run(insert('b'))]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(db.prepare('SELECT v FROM t').all()).toEqual([]);
    db.close();
  });
});
