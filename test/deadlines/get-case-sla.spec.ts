import { ApiHarness, startApi } from '../support/api-harness';

describe('GET /cases/{id} shows the SLA policy version and the pending deadlines', () => {
  let api: ApiHarness;
  beforeAll(async () => { api = await startApi(); });
  afterAll(async () => { await api.close(); });

  it('lists sign-for warning and overdue on working time after a dispatch, under the policy of the intake', async () => {
    const operator = api.token('operator');
    // The harness clock: Monday 2026-03-02 09:00 in Shanghai.
    const intake = await api.request('POST', '/cases', {
      token: operator,
      body: {
        channel: 'hotline_12345', category: 'repair.water_leak', urgency: 'normal', requestType: 'complaint',
        description: '楼顶漏水', location: { compoundId: 'compound-01' }, reporter: { name: '王女士', phone: '13800138000' },
      },
    });
    expect(intake.status).toBe(201);
    const id = intake.body.id;
    const received = await api.request('GET', `/cases/${id}`, { token: operator });
    // Waiting for dispatch: the dispatch centre's own limit, 30 working minutes from intake (warning at 75 %).
    expect(received.body.sla).toEqual({
      policyVersion: '2026.1', calendar: 'cn-mainland', provisional: false, pendingDeadlines: [
        { deadlineId: 'dispatch_warning@0', kind: 'dispatch_warning', dueAt: '2026-03-02T01:22:30.000Z', setAtRevision: 0, policyVersion: '2026.1' },
        { deadlineId: 'dispatch_overdue@0', kind: 'dispatch_overdue', dueAt: '2026-03-02T01:30:00.000Z', setAtRevision: 0, policyVersion: '2026.1' },
      ],
    });

    api.clock.advance(30 * 60_000);
    expect((await api.request('POST', `/cases/${id}/dispatch`, { token: operator, body: { assigneeId: 'company-jinling', tier: 'grid' } })).status).toBe(200);
    const dispatched = await api.request('GET', `/cases/${id}`, { token: operator });
    // 09:30 + 2 h of working time: warning at 75 % (11:00), overdue at 11:30 local time.
    expect(dispatched.body.sla.pendingDeadlines).toEqual([
      { deadlineId: 'sign_for_warning@1', kind: 'sign_for_warning', dueAt: '2026-03-02T03:00:00.000Z', setAtRevision: 1, policyVersion: '2026.1' },
      { deadlineId: 'sign_for_overdue@1', kind: 'sign_for_overdue', dueAt: '2026-03-02T03:30:00.000Z', setAtRevision: 1, policyVersion: '2026.1' },
    ]);
  });
});
