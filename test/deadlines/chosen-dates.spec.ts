import { ApiHarness, startApi } from '../support/api-harness';

/** An extension's `until` and a supervision order's `answerBy` must fall in working time (09:00–12:00, 13:00–18:00 Shanghai). */
describe('dates people choose fall in working time', () => {
  let api: ApiHarness;
  let id: string;
  beforeAll(async () => {
    api = await startApi(); // Monday 2026-03-02 09:00 local
    const operator = api.token('operator');
    id = (await api.request('POST', '/cases', {
      token: operator,
      body: {
        channel: 'hotline_12345', category: 'repair.water_leak', urgency: 'normal', requestType: 'complaint',
        description: '外墙渗水', location: { compoundId: 'compound-01' }, reporter: { name: '赵女士', phone: '13700137000' },
      },
    })).body.id;
    await api.request('POST', `/cases/${id}/dispatch`, { token: operator, body: { assigneeId: 'company-jinling', tier: 'grid' } });
    await api.request('POST', `/cases/${id}/accept`, { token: api.token('handler', 'company-jinling'), body: {} });
  });
  afterAll(async () => { await api.close(); });

  it('refuses an extension until a Saturday, naming the field and the next working moment', async () => {
    const handler = api.token('handler', 'company-jinling');
    // Saturday 2026-03-14 10:00 local → next working moment Monday 03-16 09:00 (later than the 7-working-day limit, 03-11).
    const refused = await api.request('POST', `/cases/${id}/extension-request`, { token: handler, body: { until: '2026-03-14T02:00:00.000Z', reason: '等配件' } });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('OUTSIDE_WORKING_TIME');
    expect(refused.body.fields[0].field).toBe('until');
    expect(JSON.stringify(refused.body)).toContain('2026-03-16T01:00:00.000Z');
    // The lunch break is not working time either; 18:00 sharp (the end of the day) is.
    expect((await api.request('POST', `/cases/${id}/extension-request`, { token: handler, body: { until: '2026-03-13T04:30:00.000Z', reason: '等配件' } })).status).toBe(400);
    expect((await api.request('POST', `/cases/${id}/extension-request`, { token: handler, body: { until: '2026-03-13T10:00:00.000Z', reason: '等配件' } })).status).toBe(200);
  });

  it('refuses a supervision answerBy at 20:00, accepts one at 10:00', async () => {
    const supervisor = api.token('supervisor', 'district-qinhuai');
    const refused = await api.request('POST', `/cases/${id}/supervise`, { token: supervisor, body: { reason: '加快办理', answerBy: '2026-03-03T12:00:00.000Z' } });
    expect(refused.status).toBe(400);
    expect(refused.body.fields[0].field).toBe('answerBy');
    expect(JSON.stringify(refused.body)).toContain('2026-03-04T01:00:00.000Z');
    expect((await api.request('POST', `/cases/${id}/supervise`, { token: supervisor, body: { reason: '加快办理', answerBy: '2026-03-03T02:00:00.000Z' } })).status).toBe(200);
  });
});
