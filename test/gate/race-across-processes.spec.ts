import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaseEvent, CaseState, evolve, initialCaseState, Role } from '@civicloop/domain';
import { Directory, DEMO_DIRECTORY_FILE } from '@civicloop/directory';
import { demoUser, signToken } from '../../apps/api/src/cli/token';
import { ApiProcess, startApiProcess } from '../support/api-process';

jest.setTimeout(240_000);

const ROUNDS = 200;
const SECRET = 'race-test-secret-0123456789abcdef-0123456789';
const directory = Directory.fromFile(DEMO_DIRECTORY_FILE);
const token = (role: Role, org?: string) => signToken(SECRET, demoUser(directory, role, org), '1h');

/**
 * Two API processes on one SQLite store, so no lock inside one process can serialise them: a
 * district supervisor escalates a case while the company that holds it sends escalate, note or
 * resolve at the same moment. Whatever interleaving happens, no event may be written by an actor
 * who did not hold the case when it was written.
 */
describe('the one gate under a race across two API processes on one store', () => {
  let dataDir: string;
  let first: ApiProcess;
  let second: ApiProcess;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'civicloop-race-'));
    const env = { DATA_DIR: dataDir, JWT_SECRET: SECRET, INTAKE_LIMIT_PER_USER: '100000', INTAKE_LIMIT_PER_IP: '100000' };
    [first, second] = await Promise.all([startApiProcess(env), startApiProcess(env)]);
  });
  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(`${ROUNDS} rounds: 0 events by an actor who no longer held the case`, async () => {
    const operator = token('operator');
    const company = token('handler', 'company-jinling');
    const supervisor = token('supervisor', 'district-qinhuai');
    const outcomes: Record<string, number> = {};
    const violations: string[] = [];
    const moves = [
      { name: 'escalate', body: { reason: '需社区协调' } },
      { name: 'note', body: { text: '已上门查看' } },
      { name: 'resolve', body: { summary: '已修复', outcome: 'resolved' } },
    ];
    for (let round = 0; round < ROUNDS; round++) {
      const intake = await first.request('POST', '/cases', {
        token: operator,
        body: {
          channel: 'phone', category: 'repair.lift', urgency: 'normal', requestType: 'help', description: `电梯故障 ${round}`,
          location: { compoundId: 'compound-01' }, reporter: { name: '王女士', phone: '13800138000' },
        },
      });
      const id: string = intake.body.id;
      await first.request('POST', `/cases/${id}/dispatch`, { token: operator, body: { assigneeId: 'company-jinling', tier: 'grid' } });
      await second.request('POST', `/cases/${id}/accept`, { token: company, body: {} });
      const [supervisorApi, holderApi] = round % 2 ? [first, second] : [second, first];
      const move = moves[round % moves.length];
      const [bySupervisor, byHolder] = await Promise.all([
        supervisorApi.request('POST', `/cases/${id}/escalate`, { token: supervisor, body: { reason: '区级督办上提' } }),
        holderApi.request('POST', `/cases/${id}/${move.name}`, { token: company, body: move.body }),
      ]);
      const key = `supervisor ${bySupervisor.status}${bySupervisor.body?.code ? ` ${bySupervisor.body.code}` : ''} / ${move.name} ${byHolder.status}${byHolder.body?.code ? ` ${byHolder.body.code}` : ''}`;
      outcomes[key] = (outcomes[key] ?? 0) + 1;
      const history = (await first.request('GET', `/cases/${id}/events`, { token: operator })).body as (CaseEvent & { metadata: { actor: { unitId: string | null; role: string }; occurredAt: string } })[];
      let state: CaseState = initialCaseState();
      for (const event of history) {
        const actor = event.metadata.actor;
        if (actor.role === 'handler' && actor.unitId !== state.assigneeId) {
          violations.push(`round ${round}: ${event.type} by ${actor.unitId} while ${state.assigneeId} held the case`);
        }
        state = evolve(state, event, event.metadata.occurredAt);
      }
      expect(bySupervisor.status).toBeLessThan(500);
      expect(byHolder.status).toBeLessThan(500);
    }
    // The interleavings seen, so a reader can tell the race was really run.
    console.log(`race outcomes over ${ROUNDS} rounds:\n${Object.entries(outcomes).map(([k, n]) => `  ${n} × ${k}`).join('\n')}`);
    expect(violations).toEqual([]);
  });

  it('two opposite merges (A→B, B→A) racing on two processes leave exactly one primary', async () => {
    const operator = token('operator');
    const intake = (n: number) => first.request('POST', '/cases', {
      token: operator,
      body: {
        channel: 'phone', category: 'repair.lift', urgency: 'normal', requestType: 'help', description: `重复工单 ${n}`,
        location: { compoundId: 'compound-01' }, reporter: { name: '王女士', phone: '13800138000' },
      },
    });
    const outcomes: Record<string, number> = {};
    const history = async (id: string) => (await first.request('GET', `/cases/${id}/events`, { token: operator })).body as CaseEvent[];
    for (let round = 0; round < 40; round++) {
      const [a, b] = [(await intake(2 * round)).body.id as string, (await intake(2 * round + 1)).body.id as string];
      const answers = await Promise.all([
        first.request('POST', `/cases/${a}/merge`, { token: operator, body: { intoCaseId: b } }),
        second.request('POST', `/cases/${b}/merge`, { token: operator, body: { intoCaseId: a } }),
      ]);
      const key = answers.map((r) => `${r.status}${r.body?.code ? ` ${r.body.code}` : ''}`).join(' / ');
      outcomes[key] = (outcomes[key] ?? 0) + 1;
      const [ha, hb] = [await history(a), await history(b)];
      const closedA = ha.some((e) => e.type === 'CaseClosed');
      const closedB = hb.some((e) => e.type === 'CaseClosed');
      expect([closedA, closedB].filter(Boolean)).toHaveLength(1);
      const [primary, duplicate] = closedA ? [hb, a] : [ha, b];
      expect(primary.filter((e) => e.type === 'DuplicateMerged').map((e) => e.data)).toEqual([{ duplicateCaseId: duplicate }]);
    }
    console.log(`opposite merges over 40 rounds:\n${Object.entries(outcomes).map(([k, n]) => `  ${n} × ${k}`).join('\n')}`);
  });
});
