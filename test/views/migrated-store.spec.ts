import { Actor } from '@civicloop/domain';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { ExecuteCaseCommand } from '@civicloop/cases';
import { connectEsdb, EventStore, SqliteEventStore } from '@civicloop/event-store';
import {
  ALL_PROJECTIONS, hashProjection, openReadDatabase, ProjectionRunner, queryBoard, NotCaughtUp, ReadDatabase, ReadModels, rebuildProjections,
} from '@civicloop/read-models';
import { EsdbStandIn, startEsdbStandIn } from '../esdb-stand-in/stand-in-server';
import { PostgresServer, startPostgres } from '../support/postgres-server';
import { migrate } from '../../apps/api/src/cli/migrate/migrate';
import { writeHistory } from './history';
import { Fixture, startWritePath } from './views-fixture';

jest.setTimeout(90_000);

const NAMES = ALL_PROJECTIONS.map((p) => p.name);

/**
 * A deployment moves SQLite → EventStoreDB (the gRPC stand-in) → SQLite again, keeping ONE read-model
 * database whose checkpoints hold the previous store's positions. After each switch the runners
 * must neither skip nor misapply: the views equal a rebuild from the new store, new events included.
 */
describe('projection checkpoints survive a migration of the event store', () => {
  let f: Fixture;
  let standIn: EsdbStandIn;
  let dir: string;
  const closing: { close(): Promise<void> }[] = [];
  let written = 0;
  let pg: PostgresServer | undefined;

  beforeAll(async () => {
    f = await startWritePath();
    standIn = await startEsdbStandIn();
    dir = mkdtempSync(join(tmpdir(), 'civicloop-migrated-views-'));
  });
  afterAll(async () => {
    for (const c of closing.reverse()) await c.close().catch(() => undefined);
    await standIn?.stop();
    await pg?.stop();
    await f?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** New cases received and dispatched through the real write path (into the original SQLite store). */
  const newCases = async (count: number) => {
    const operator: Actor = { id: 'user-operator-1', role: 'operator', unitId: 'district-qinhuai' };
    const patrol: Actor = { id: 'user-handler-grid-111', role: 'handler', unitId: 'grid-111' };
    for (let i = 0; i < count; i++) {
      const caseId = `after-migration-${++written}`;
      const meta = (n: string, actor = operator) => ({ actor, commandId: `${caseId}-${n}`, correlationId: caseId, causationId: caseId });
      f.clock.advance(60_000);
      await f.bus.execute(new ExecuteCaseCommand(caseId, {
        type: 'ReceiveCase',
        data: { caseId, channel: 'grid_patrol', category: 'repair.lift', urgency: 'normal', requestType: 'help', description: 'x', location: { compoundId: 'compound-01' } },
      }, meta('receive', patrol)));
      await f.bus.execute(new ExecuteCaseCommand(caseId, { type: 'DispatchCase', data: { assigneeId: 'grid-111', tier: 'grid' } }, meta('dispatch')));
    }
  };

  /**
   * Until every checkpoint stands exactly on the store's head. Not `waitFor(head)` (position ≥ head):
   * a checkpoint from a bigger store lies past the head until its runner has rebuilt, and would pass
   * at once, before the events appended meanwhile are in the views.
   */
  const atHead = async (models: ReadModels, store: EventStore) => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const head = Number(await store.headPosition());
      const states = await models.checkpoints.readAll();
      if (NAMES.every((name) => states.find((s) => s.name === name)?.position === head)) return;
      if (Date.now() > deadline) throw new Error(`views not at the head ${head}: ${JSON.stringify(states.map((s) => [s.name, s.position]))}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };

  /** Runs every projection against `store` on the shared read database until it has applied the head. */
  const runAgainst = async (rdb: ReadDatabase, store: EventStore, owner: string, whileRunning: () => Promise<void>) => {
    const models = new ReadModels(rdb, store, f.org, f.settings);
    const runners = ALL_PROJECTIONS.map((p) => new ProjectionRunner(rdb, store, p, models.env, { owner, retryMs: 100, batchSize: 200 }));
    await models.ensureSchema();
    runners.forEach((r) => r.start());
    try {
      await atHead(models, store);
      await whileRunning();
      await atHead(models, store);
    } finally {
      await Promise.all(runners.map((r) => r.stop()));
    }
    return models;
  };

  /** The views of `rdb` against a rebuild from `store` into a fresh database. */
  const expectViewsEqualRebuild = async (rdb: ReadDatabase, store: EventStore, name: string) => {
    const fresh = openReadDatabase({ sqliteFile: join(dir, `${name}-rebuild.sqlite`) });
    closing.push(fresh);
    const env = new ReadModels(fresh, store, f.org, f.settings).env;
    await rebuildProjections(fresh, store, ALL_PROJECTIONS, env);
    const incremental = await Promise.all(ALL_PROJECTIONS.map((p) => hashProjection(rdb, p)));
    const rebuilt = await Promise.all(ALL_PROJECTIONS.map((p) => hashProjection(fresh, p)));
    expect(Object.fromEntries(NAMES.map((n, i) => [n, incremental[i]]))).toEqual(Object.fromEntries(NAMES.map((n, i) => [n, rebuilt[i]])));
  };

  it('SQLite → stand-in → SQLite with the same read database: views equal a rebuild and new events are applied', async () => {
    await writeHistory(f.bus, f.cases, f.directory, f.clock, { seed: 20261123, cases: 40, concurrent: 8 });
    const rdb = openReadDatabase({ sqliteFile: join(dir, 'views.sqlite') });
    closing.push(rdb);
    await runAgainst(rdb, f.store, 'before', async () => undefined);
    const cases = (await queryBoard(new ReadModels(rdb, f.store, f.org, f.settings), { limit: 1000 }, f.clock.now().toISOString())).rows.length;
    expect(cases).toBeGreaterThan(30);

    // SQLite → EventStoreDB; new events keep arriving there (the migration's resume carries them over).
    const esdb = await connectEsdb(standIn.connectionString);
    closing.push(esdb);
    const toEsdb = () => migrate({ from: { name: 'sqlite', store: f.store }, to: { name: 'esdb', store: esdb }, checkpointFile: join(dir, 'a.json') });
    await toEsdb();
    const onEsdb = await runAgainst(rdb, esdb, 'on-esdb', async () => {
      await newCases(5);
      await toEsdb();
    });
    expect((await queryBoard(onEsdb, { limit: 1000 }, f.clock.now().toISOString())).rows.length).toBe(cases + 5);
    await expectViewsEqualRebuild(rdb, esdb, 'esdb');

    // EventStoreDB → a fresh SQLite file: the stored checkpoints are now log offsets far past its head.
    const back = new SqliteEventStore(join(dir, 'back.sqlite'));
    closing.push(back);
    const toBack = () => migrate({ from: { name: 'esdb', store: esdb }, to: { name: 'back', store: back }, checkpointFile: join(dir, 'b.json') });
    await toBack();
    const onBack = await runAgainst(rdb, back, 'on-back', async () => {
      await newCases(5);
      await toEsdb();
      await toBack();
    });
    expect((await queryBoard(onBack, { limit: 1000 }, f.clock.now().toISOString())).rows.length).toBe(cases + 10);
    await expectViewsEqualRebuild(rdb, back, 'back');
    // Each checkpoint names the event it stands on, in the store now in use.
    const head = (await back.readAll({ after: Number(await back.headPosition()) - 1 }))[0];
    const state = (await onBack.checkpoints.read('board'))!;
    expect(state).toMatchObject({ position: head.position, positionEvent: { eventId: head.metadata.eventId, streamId: head.streamId, revision: head.revision } });
  });

  it.each(['sqlite', 'postgres'])('upgrades a %s read database whose checkpoints name no event; one past the head is rebuilt, not trusted', async (dialect) => {
    if (dialect === 'postgres') pg = await startPostgres();
    const rdb = openReadDatabase(pg ? { databaseUrl: await pg.createDatabase('upgraded') } : { sqliteFile: join(dir, 'upgraded.sqlite') });
    closing.push(rdb);
    // projection_state as versions before the check created it, holding a checkpoint from a bigger store.
    await sql`create table projection_state (name text primary key, version bigint not null, generation bigint not null,
      position double precision, owner text, lease_until double precision)`.execute(rdb.db);
    for (const p of ALL_PROJECTIONS) {
      await rdb.db.insertInto('projection_state').values({ name: p.name, version: p.version, generation: 1, position: 1e12, owner: null, lease_until: null }).execute();
    }
    // A checkpoint past the head is not "caught up": a read asking for consistency waits for the rebuild.
    const waiting = new ReadModels(rdb, f.store, f.org, f.settings);
    await expect(waiting.waitFor(Number(await f.store.headPosition()), NAMES, 200)).rejects.toBeInstanceOf(NotCaughtUp);
    await runAgainst(rdb, f.store, `upgraded-${dialect}`, () => newCases(2));
    await expectViewsEqualRebuild(rdb, f.store, `upgraded-${dialect}`);
  });
});
