import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { Actor, CaseCommand, CaseRefused } from '@civicloop/domain';
import { CaseRepository, ExecuteCaseCommand } from '@civicloop/cases';
import { loadConfig } from '@civicloop/platform';
import { SimulatorModule } from '../../apps/simulator/src/simulate';
import { WorkerAppModule } from '../../apps/worker/src/worker-app.module';
import { ApiHarness, startApi } from '../support/api-harness';
import { RedisServer, startRedis } from '../support/redis-server';

jest.setTimeout(60_000);

const otherCompany: Actor = { id: 'user-handler-company-huarun', role: 'handler', unitId: 'company-huarun' };
const outsideDispatch: CaseCommand = { type: 'DispatchCase', data: { assigneeId: 'grid-211', tier: 'grid' } };
const operator: Actor = { id: 'user-operator-1', role: 'operator', unitId: 'district-qinhuai' };

/**
 * HTTP, the simulator and the worker each issue commands through their own Nest context; all of
 * them reach the one gate, so the same forbidden command gets the same refusal from each.
 */
describe('one gate for every caller', () => {
  let redis: RedisServer;
  let api: ApiHarness;
  let simulator: INestApplicationContext;
  let worker: INestApplicationContext;
  let caseId: string;
  let pending: string;

  beforeAll(async () => {
    redis = await startRedis();
    api = await startApi();
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: api.dataDir, REDIS_URL: redis.url, JWT_SECRET: api.config.JWT_SECRET });
    simulator = await NestFactory.createApplicationContext(SimulatorModule.forRoot({ config }), { logger: ['error'] });
    worker = await NestFactory.createApplicationContext(WorkerAppModule.forRoot({ config }), { logger: ['error'] });
    const op = api.token('operator');
    const intake = {
      channel: 'phone', category: 'repair.lift', urgency: 'normal', requestType: 'help', description: '电梯异响',
      location: { compoundId: 'compound-01' }, reporter: { name: '王女士', phone: '13800138000' },
    };
    caseId = (await api.request('POST', '/cases', { token: op, body: intake })).body.id;
    await api.request('POST', `/cases/${caseId}/dispatch`, { token: op, body: { assigneeId: 'company-jinling', tier: 'grid' } });
    pending = (await api.request('POST', '/cases', { token: op, body: intake })).body.id;
  });
  afterAll(async () => {
    await worker?.close();
    await simulator?.close();
    await api?.close();
    await redis?.stop();
  });

  const viaContext = (context: INestApplicationContext, id: string, command: CaseCommand, actor: Actor) =>
    context.get(CommandBus).execute(new ExecuteCaseCommand(id, command, { actor, commandId: 'c', correlationId: 'c', causationId: 'c' }))
      .then(() => 'accepted', (error: unknown) => (error instanceof CaseRefused ? error.code : String(error)));

  it('a company signing for a case it does not hold: OUT_OF_SCOPE over HTTP, from the simulator and from the worker', async () => {
    const http = await api.request('POST', `/cases/${caseId}/accept`, { token: api.token('handler', 'company-huarun'), body: {} });
    expect(http).toMatchObject({ status: 403, body: { code: 'OUT_OF_SCOPE' } });
    await expect(viaContext(simulator, caseId, { type: 'AcceptCase', data: {} }, otherCompany)).resolves.toBe('OUT_OF_SCOPE');
    await expect(viaContext(worker, caseId, { type: 'AcceptCase', data: {} }, otherCompany)).resolves.toBe('OUT_OF_SCOPE');
    // (the worker's own deadline events may land meanwhile: its clock is the real one)
    const history = (await api.request('GET', `/cases/${caseId}/events`, { token: api.token('operator') })).body as { metadata: { actor: Actor } }[];
    expect(history.filter((e) => e.metadata.actor.unitId === 'company-huarun')).toEqual([]);
  });

  it('a dispatch outside the compound\'s jurisdiction: UNIT_OUTSIDE_JURISDICTION from every caller', async () => {
    const http = await api.request('POST', `/cases/${pending}/dispatch`, { token: api.token('operator'), body: outsideDispatch.data });
    expect(http).toMatchObject({ status: 400, body: { code: 'UNIT_OUTSIDE_JURISDICTION', fields: [{ field: 'assigneeId' }] } });
    await expect(viaContext(simulator, pending, outsideDispatch, operator)).resolves.toBe('UNIT_OUTSIDE_JURISDICTION');
    await expect(viaContext(worker, pending, outsideDispatch, operator)).resolves.toBe('UNIT_OUTSIDE_JURISDICTION');
  });

  it('an HTTP command loads the case once per attempt (the guard no longer loads it before the gate)', async () => {
    const repository = api.app.get(CaseRepository);
    // The worker's deadline events may land on this case meanwhile (its clock is the real one): a
    // conflict makes the gate load again for its second attempt, which is right; a load before the gate is not.
    const appends = jest.spyOn(repository, 'append');
    try {
      const before = repository.loads;
      const res = await api.request('POST', `/cases/${caseId}/note`, { token: api.token('operator'), body: { text: '已致电物业' } });
      expect(res.status).toBe(200);
      expect(appends.mock.calls.length).toBeGreaterThanOrEqual(1);
      expect(repository.loads - before).toBe(appends.mock.calls.length);
    } finally {
      appends.mockRestore();
    }
  });
});
