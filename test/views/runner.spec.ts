import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import {
  ALL_PROJECTIONS, allTables, boardProjection, CheckpointStore, dropFreshTables, finishRebuild, foldIntoGenerations, generationsOf, hashProjection, prepareRebuild,
  Projection, ProjectionRunner, queryBoard, ReadDatabase, RebuildBusyError, rebuildProjection, statsProjection,
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

  /** Every generation of the projection's tables the database holds. */
  const generations = async (rdb: ReadDatabase, projection: Projection) =>
    [...new Set((await Promise.all(allTables(projection).map((t) => generationsOf(rdb.db, t)))).flat())].sort();
  const lapse = (rdb: ReadDatabase, name: string) => rdb.db.updateTable('projection_state').set({ rebuild_until: 0 }).where('name', '=', name).execute();

  it('no rebuild that died or was turned away leaves tables behind (they may hold residents\' texts)', async () => {
    const side = await startReadSide(f, { ...(await target('orphans')), owner: 'replica-e' });
    await side.models.checkpoints.ensureProjection(boardProjection);
    // A rebuild of the board dies after making its tables; its claim lapses.
    const died = await prepareRebuild(side.rdb, [boardProjection]);
    await lapse(side.rdb, 'board');
    // Stats is being rebuilt elsewhere, so `projections rebuild` of both is turned away after claiming the board.
    const other = await prepareRebuild(side.rdb, [statsProjection]);
    await expect(prepareRebuild(side.rdb, [boardProjection, statsProjection])).rejects.toBeInstanceOf(RebuildBusyError);
    await dropFreshTables(side.rdb, [statsProjection], other);
    expect(await generations(side.rdb, boardProjection)).toEqual([died[0].from, died[0].generation]);
    // The next rebuild that gets through leaves the live generation alone.
    const done = await rebuildProjection(side.rdb, f.store, boardProjection, side.models.env);
    expect(await generations(side.rdb, boardProjection)).toEqual([done.generation]);
    await side.rdb.close();
  });

  it('a swap refused half way ends the claims of the projections not reached and drops their tables', async () => {
    const side = await startReadSide(f, { ...(await target('half-swapped')), owner: 'replica-f' });
    const both = [boardProjection, statsProjection];
    const plans = await prepareRebuild(side.rdb, both);
    const folded = await foldIntoGenerations(side.rdb, f.store, both, plans, side.models.env);
    // The board's claim lapsed and another rebuild took it over.
    await lapse(side.rdb, 'board');
    expect(await new CheckpointStore(side.rdb).claimRebuild('board', 'taker', 60_000)).toMatchObject({ generation: plans[0].generation + 1 });
    await expect(finishRebuild(side.rdb, both, plans, folded)).rejects.toThrow(/claim lapsed/);
    const stats = plans.find((p) => p.name === 'stats')!;
    expect((await side.models.checkpoints.read('stats'))!.rebuildOwner).toBeNull();
    expect(await generations(side.rdb, statsProjection)).toEqual([stats.from]);
    // So the next rebuild of stats goes ahead at once.
    await rebuildProjection(side.rdb, f.store, statsProjection, side.models.env);
    await side.rdb.close();
  });

  it('a runner that meets another rebuild says so once, waits quietly, then rebuilds', async () => {
    const side = await startReadSide(f, { ...(await target('waiting')), owner: 'replica-g' });
    await side.models.checkpoints.ensureProjection(boardProjection);
    const held = await prepareRebuild(side.rdb, [boardProjection]); // the CLI's rebuild, under way
    const lines: string[] = [];
    const capture = (m: unknown) => { lines.push(String(m)); };
    Logger.overrideLogger({ log: capture, warn: capture, error: capture, debug: () => undefined, verbose: () => undefined });
    const bumped = { ...boardProjection, version: boardProjection.version + 1 };
    const runner = new ProjectionRunner(side.rdb, f.store, bumped, side.models.env, { owner: 'replica-g', retryMs: 100 });
    try {
      runner.start();
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(lines.filter((line) => line.includes(`being rebuilt by ${held[0].owner}`))).toHaveLength(1);
      await dropFreshTables(side.rdb, [boardProjection], held); // the CLI's rebuild ends
      for (let tries = 0; (await side.models.checkpoints.read('board'))!.version !== bumped.version; tries++) {
        expect(tries).toBeLessThan(100);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      await runner.stop();
      Logger.overrideLogger(['warn', 'error']);
    }
    expect(lines.length).toBeLessThanOrEqual(4);
    await side.rdb.close();
  });
});
