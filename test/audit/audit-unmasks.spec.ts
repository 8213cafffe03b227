import { ApiHarness, startApi } from '../support/api-harness';

describe('GET /audit/unmasks', () => {
  let api: ApiHarness;
  beforeAll(async () => { api = await startApi(); });
  afterAll(async () => { await api.close(); });

  it('lists every unmask of personal data, newest first, to auditors only', async () => {
    const auditor = api.token('auditor');
    expect((await api.request('GET', '/audit/unmasks', { token: auditor })).body).toEqual({ rows: [] });
    const ids: string[] = [];
    for (const description of ['楼顶漏水', '电梯故障']) {
      const { body } = await api.request('POST', '/cases', {
        token: api.token('operator'),
        body: { channel: 'phone', category: 'repair.water_leak', urgency: 'normal', requestType: 'complaint', description,
          location: { compoundId: 'compound-01' }, reporter: { name: '王女士', phone: '13800138000' } },
      });
      ids.push(body.id);
    }
    await api.request('POST', `/cases/${ids[0]}/unmask`, { token: auditor, body: { reason: '信访复核' } });
    api.clock.advance(60_000);
    await api.request('POST', `/cases/${ids[1]}/unmask`, { token: auditor, body: { reason: '核实来电人' } });
    const { status, body } = await api.request('GET', '/audit/unmasks', { token: auditor });
    expect(status).toBe(200);
    expect(body.rows.map((r: { caseId: string; reason: string }) => [r.caseId, r.reason])).toEqual([[ids[1], '核实来电人'], [ids[0], '信访复核']]);
    expect(body.rows[0]).toMatchObject({ actorId: expect.any(String), actorUnitId: 'district-qinhuai', occurredAt: expect.any(String) });
    expect((await api.request('GET', '/audit/unmasks', { token: api.token('operator') })).status).toBe(403);
  });
});
