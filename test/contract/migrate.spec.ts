import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectEsdb, EventStore, PostgresEventStore, SqliteEventStore } from '@civicloop/event-store';
import { caseEvent } from './event-store.contract';
import { EsdbStandIn, startEsdbStandIn } from '../esdb-stand-in/stand-in-server';
import { historyHash } from '../../apps/api/src/cli/migrate/history-hash';
import { migrate, MigrationRefused } from '../../apps/api/src/cli/migrate/migrate';
import { openStore } from '../../apps/api/src/cli/migrate/open-store';
import { PostgresServer, startPostgres } from '../support/postgres-server';

/** 40 cases written interleaved, some appends carrying several events: 300 events in all. */
async function seed(store: EventStore): Promise<void> {
  const revisions = new Map<string, number>();
  for (let i = 0; i < 200; i++) {
    const stream = `case-${(i * 7) % 40}`;
    const revision = revisions.get(stream) ?? -1;
    const events = Array.from({ length: i % 3 === 0 ? 2 : 1 }, (_, k) =>
      caseEvent(stream, `Step${revision + 1 + k}`, new Date(Date.UTC(2026, 0, 5, 9, 0, i)).toISOString(), { i, k }));
    await store.append(stream, events, revision < 0 ? 'no_stream' : revision);
    revisions.set(stream, revision + events.length);
  }
}

describe('migrate', () => {
  let dir: string;
  let standIn: EsdbStandIn;
  const open: EventStore[] = [];
  const sqlite = (name: string) => {
    const store = new SqliteEventStore(join(dir, name));
    open.push(store);
    return store;
  };
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'civicloop-migrate-'));
    standIn = await startEsdbStandIn();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
    await standIn.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('SQLite → EventStoreDB (stand-in) → a fresh SQLite file keeps the identical history', async () => {
    const source = sqlite('source.sqlite');
    await seed(source);
    const esdb = await connectEsdb(standIn.connectionString);
    open.push(esdb);
    const back = sqlite('back.sqlite');

    const there = await migrate({ from: { name: 'source', store: source }, to: { name: 'esdb', store: esdb }, checkpointFile: join(dir, 'a.json'), pageSize: 64 });
    const again = await migrate({ from: { name: 'esdb', store: esdb }, to: { name: 'back', store: back }, checkpointFile: join(dir, 'b.json'), pageSize: 64 });

    const [original, viaEsdb, roundTrip] = await Promise.all([historyHash(source), historyHash(esdb), historyHash(back)]);
    expect(original.events).toBe(267);
    expect([there.copied, again.copied]).toEqual([267, 267]);
    expect(viaEsdb).toEqual(original);
    expect(roundTrip).toEqual(original);
    // Ids and metadata are kept event by event, not just in aggregate.
    const [a, b] = await Promise.all([source.readStream('case-7'), back.readStream('case-7')]);
    expect(b.map(({ type, data, metadata, revision }) => ({ type, data, metadata, revision })))
      .toEqual(a.map(({ type, data, metadata, revision }) => ({ type, data, metadata, revision })));
  });

  it('resumes an interrupted migration from its checkpoint without duplicating events', async () => {
    const source = sqlite('source.sqlite');
    await seed(source);
    const esdb = await connectEsdb(standIn.connectionString);
    open.push(esdb);
    const checkpointFile = join(dir, 'checkpoint.json');
    const run = (afterPageWritten?: (copied: number) => void) => migrate({
      from: { name: 'source', store: source }, to: { name: 'esdb', store: esdb }, checkpointFile, pageSize: 50, afterPageWritten,
    });

    // Crash in the worst place: a page is in the target but its checkpoint is not stored yet.
    await expect(run((copied) => { if (copied >= 150) throw new Error('killed'); })).rejects.toThrow('killed');
    expect(standIn.log.records.filter((r) => !r.type.startsWith('$'))).toHaveLength(150);
    expect(existsSync(checkpointFile)).toBe(true);

    const resumed = await run();
    expect(resumed.copied).toBe(267);
    const ids = standIn.log.records.filter((r) => !r.type.startsWith('$')).map((r) => r.id);
    expect(ids).toHaveLength(267);
    expect(new Set(ids).size).toBe(267);
    expect(await historyHash(esdb)).toEqual(await historyHash(source));
  });

  it('refuses to copy into a store that already holds events, unless resuming', async () => {
    const source = sqlite('source.sqlite');
    await seed(source);
    const target = sqlite('target.sqlite');
    await target.append('case-x', [caseEvent('case-x', 'CaseReceived', '2026-01-05T09:00:00.000Z')], 'no_stream');
    await expect(migrate({ from: { name: 's', store: source }, to: { name: 't', store: target }, checkpointFile: join(dir, 'c.json') }))
      .rejects.toThrow(MigrationRefused);
  });
});

describe('migrate with PostgreSQL (a real server started by the test)', () => {
  let dir: string;
  let pg: PostgresServer;
  const open: EventStore[] = [];
  beforeAll(async () => { pg = await startPostgres(); });
  afterAll(() => pg?.stop());
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'civicloop-migrate-pg-')); });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });
  /** Opened the way the CLI opens its --from/--to. */
  const opened = async (spec: string) => {
    const store = await openStore(spec);
    open.push(store);
    return store;
  };

  it('SQLite → PostgreSQL → a fresh SQLite file keeps the identical history (same hash), resuming after an interruption', async () => {
    const source = await opened(`sqlite:${join(dir, 'source.sqlite')}`);
    await seed(source);
    const postgres = await opened(await pg.createDatabase('migrated'));
    expect(postgres).toBeInstanceOf(PostgresEventStore);
    const back = await opened(join(dir, 'back.sqlite'));
    const toPostgres = (afterPageWritten?: (copied: number) => void) => migrate({
      from: { name: 'source', store: source }, to: { name: 'postgres', store: postgres }, checkpointFile: join(dir, 'a.json'), pageSize: 64, afterPageWritten,
    });

    // Interrupted where it hurts most: a page is in PostgreSQL, its checkpoint is not stored yet.
    await expect(toPostgres((copied) => { if (copied >= 128) throw new Error('killed'); })).rejects.toThrow('killed');
    const there = await toPostgres();
    const again = await migrate({ from: { name: 'postgres', store: postgres }, to: { name: 'back', store: back }, checkpointFile: join(dir, 'b.json'), pageSize: 64 });

    const [original, viaPostgres, roundTrip] = await Promise.all([historyHash(source), historyHash(postgres), historyHash(back)]);
    expect(original.events).toBe(267);
    expect([there.copied, again.copied]).toEqual([267, 267]);
    expect(viaPostgres).toEqual(original);
    expect(roundTrip).toEqual(original);
    const [a, b] = await Promise.all([source.readStream('case-7'), postgres.readStream('case-7')]);
    expect(b.map(({ type, data, metadata, revision }) => ({ type, data, metadata, revision })))
      .toEqual(a.map(({ type, data, metadata, revision }) => ({ type, data, metadata, revision })));
  });
});
