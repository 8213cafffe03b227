import { join } from 'node:path';
import {
  ALL_PROJECTIONS, boardProjection, finishRebuild, foldIntoGenerations, hashProjection, prepareRebuild, queryBoard, RebuildBusyError, rebuildProjection,
  statsProjection,
} from '@civicloop/read-models';
import { ExecuteCaseCommand } from '@civicloop/cases';
import { PostgresServer, startPostgres } from '../support/postgres-server';
import { Fixture, startReadSide, startWritePath } from './views-fixture';

jest.setTimeout(60_000);

describe.each(['sqlite', 'postgres'])('projection runners across replicas (%s)', (dialect) => {
  let f: Fixture;
  let pg: PostgresServer | undefined;
  let written = 0;

  beforeAll(async () => {
    f = await startWritePath();
    if (dialect === 'postgres') pg = await startPostgres();
  });
  afterAll(async () => {
    await f?.close();
    await pg?.stop();
  });

  const target = async (name: string) => (pg ? { databaseUrl: await pg.createDatabase(name) } : { sqliteFile: join(f.dir, `${name}.sqlite`) });
  const intake = async (count: number) => {
    for (let i = 0; i < count; i++) {
      const caseId = `r${++written}`;
      f.clock.advance(60_000);
      const actor = { id: 'user-handler-grid-111', role: 'handler' as const, unitId: 'grid-111' }; // a patrol finding of the compound's own grid
      await f.bus.execute(new ExecuteCaseCommand(caseId, {
        type: 'ReceiveCase',
        data: { caseId, channel: 'grid_patrol', category: 'repair.lift', urgency: 'normal', requestType: 'help', description: 'x', location: { compoundId: 'compound-01' } },
      }, { actor, commandId: caseId, correlationId: caseId, causationId: caseId }));
    }
  };

  it('one replica applies each projection; when it dies another takes over and nothing is applied twice', async () => {
    const where = await target('takeover');
    const a = await startReadSide(f, { ...where, owner: 'replica-a', leaseMs: 500 });
    const b = await startReadSide(f, { ...where, owner: 'replica-b', leaseMs: 500 });
    [...a.runners, ...b.runners].forEach((r) => r.start());
    await intake(40);
    const head = Number(await f.store.headPosition());
    await a.models.waitFor(head, ['board', 'stats', 'chain'], 10_000);
    for (let i = 0; i < ALL_PROJECTIONS.length; i++) expect([a.runners[i].active, b.runners[i].active].filter(Boolean)).toHaveLength(1);

    // The replica holding the board dies without committing its buffer or releasing its lease.
    const holder = a.runners[0].active ? a : b;
    const standby = holder === a ? b : a;
    await Promise.all(holder.runners.map((r) => r.crash()));
    await intake(25);
    await standby.models.waitFor(Number(await f.store.headPosition()), ['board', 'stats', 'chain'], 10_000);
    expect(standby.runners.every((r) => r.active)).toBe(true);
    const rows = await queryBoard(standby.models, { limit: 500 }, f.clock.now().toISOString());
    expect(rows.rows).toHaveLength(65);

    const incremental = await Promise.all(ALL_PROJECTIONS.map((p) => hashProjection(standby.rdb, p)));
    await Promise.all(standby.runners.map((r) => r.stop()));
    for (const p of ALL_PROJECTIONS) await rebuildProjection(standby.rdb, f.store, p, standby.models.env);
    expect(await Promise.all(ALL_PROJECTIONS.map((p) => hashProjection(standby.rdb, p)))).toEqual(incremental);
    await a.rdb.close();
    await b.rdb.close();
  });

  it('a rebuild swaps a fresh generation in under a live runner, which carries on there', async () => {
    const side = await startReadSide(f, { ...(await target('swap')), owner: 'replica-c' });
    side.runners.forEach((r) => r.start());
    await side.models.waitFor(Number(await f.store.headPosition()), ['board'], 10_000);
    const before = (await side.models.checkpoints.read('board'))!.generation;
    const progress: number[] = [];
    await rebuildProjection(side.rdb, f.store, boardProjection, side.models.env, { batchSize: 10, onProgress: (p) => progress.push(p.events) });
    expect(progress.length).toBeGreaterThan(3);
    expect((await side.models.checkpoints.read('board'))!.generation).toBe(before + 1);
    await intake(5);
    await side.models.waitFor(Number(await f.store.headPosition()), ['board'], 10_000);
    expect((await queryBoard(side.models, { limit: 500 }, f.clock.now().toISOString())).rows).toHaveLength(written);
    await Promise.all(side.runners.map((r) => r.stop()));
    await side.rdb.close();
  });

  it('a second rebuild of a projection while one runs is refused, naming who holds it; the first swaps in whole tables', async () => {
    const side = await startReadSide(f, { ...(await target('claims')), owner: 'replica-d' });
    side.runners.forEach((r) => r.start());
    await intake(3);
    await side.models.waitFor(Number(await f.store.headPosition()), ALL_PROJECTIONS.map((p) => p.name), 10_000);
    await Promise.all(side.runners.map((r) => r.stop()));
    const incremental = await hashProjection(side.rdb, boardProjection);

    // The service's rebuild of the board has claimed its generation and made its tables ...
    const first = await prepareRebuild(side.rdb, [boardProjection]);
    expect((await side.models.lags()).find((l) => l.name === 'board')!.rebuilding).toMatchObject({ owner: first[0].owner, generation: first[0].generation });
    // ... so `projections rebuild` beside it is refused, all or nothing: the stats it claimed first is let go.
    const refused = rebuildProjection(side.rdb, f.store, boardProjection, side.models.env);
    await expect(refused).rejects.toBeInstanceOf(RebuildBusyError);
    await expect(refused).rejects.toThrow(`projection board is being rebuilt by ${first[0].owner}`);
    await expect(prepareRebuild(side.rdb, [statsProjection, boardProjection])).rejects.toBeInstanceOf(RebuildBusyError);
    expect((await side.models.lags()).find((l) => l.name === 'stats')!.rebuilding).toBeNull();
    await rebuildProjection(side.rdb, f.store, statsProjection, side.models.env);

    const folded = await foldIntoGenerations(side.rdb, f.store, [boardProjection], first, side.models.env);
    await finishRebuild(side.rdb, [boardProjection], first, folded);
    const board = (await side.models.lags()).find((l) => l.name === 'board')!;
    expect(board).toMatchObject({ generation: first[0].generation, rebuilding: null });
    expect(await hashProjection(side.rdb, boardProjection)).toEqual(incremental);
    await side.rdb.close();
  });
});
