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

  it('never keeps an unmask answer for replay: a retry with the same Idempotency-Key looks (and is recorded) again', async () => {
    const auditor = api.token('auditor');
    const { body: intake } = await api.request('POST', '/cases', {
      token: api.token('operator'),
      body: { channel: 'phone', category: 'repair.water_leak', urgency: 'normal', requestType: 'complaint', description: '水管爆裂',
        location: { compoundId: 'compound-01' }, reporter: { name: '赵先生', phone: '13700137000' } },
    });
    const retry = { token: auditor, body: { reason: '复核' }, headers: { 'Idempotency-Key': 'unmask-1' } };
    const first = await api.request('POST', `/cases/${intake.id}/unmask`, retry);
    const second = await api.request('POST', `/cases/${intake.id}/unmask`, retry);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.body.reporter).toMatchObject({ phone: '13700137000' });
    expect(second.body.revision).toBe(first.body.revision + 1);
  });
});
