import { ApiHarness, startApi } from '../support/api-harness';

/** One case through the whole closed loop over HTTP, then its history and its past states. */
describe('the closed loop over HTTP', () => {
  let api: ApiHarness;
  beforeAll(async () => { api = await startApi(); });
  afterAll(async () => { await api.close(); });

  it('runs intake → return → escalations → whistle → rework → close, and replays it exactly', async () => {
    const operator = api.token('operator');
    const resident = api.token('resident');
    const grid = api.token('handler', 'grid-111');
    const company = api.token('handler', 'company-jinling');
    const community = api.token('handler', 'community-11');
    const street = api.token('handler', 'street-fuzimiao');
    const supervisor = api.token('supervisor', 'street-fuzimiao');
    const urban = api.token('handler', 'dept-urban');
    const fire = api.token('handler', 'dept-fire');

    const expectOk = (res: { status: number; body: any }, status = 200) => {
      if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
      return res.body;
    };
    // the resident reports through the app, so the case is theirs to follow and rate
    const intake = expectOk(await api.request('POST', '/cases', {
      token: resident,
      body: {
        channel: 'online', category: 'safety.fire_lane', urgency: 'urgent', requestType: 'complaint',
        description: '小区消防通道长期被私家车占用，物业劝阻无效', location: { compoundId: 'compound-01', building: '3' },
        reporter: { name: '王女士', phone: '13800138000' },
      },
    }), 201);
    expect(intake).toEqual({ id: expect.any(String), revision: 0, position: expect.any(Number) });
    const id: string = intake.id;
    const times: string[] = [api.clock.now().toISOString()];

    const command = async (token: string, name: string, body: unknown = {}) => {
      api.clock.advance(10 * 60_000);
      const answer = expectOk(await api.request('POST', `/cases/${id}/${name}`, { token, body }));
      times.push(api.clock.now().toISOString());
      return answer;
    };

    await command(operator, 'dispatch', { assigneeId: 'grid-111', tier: 'grid' });
    await command(grid, 'return', { reason: 'overlapping_remit', note: '消防通道管理属物业服务范围' });
    await command(operator, 'return-review', { approved: true, note: '退单理由成立' });
    await command(operator, 'dispatch', { assigneeId: 'company-jinling', tier: 'grid' });
    await command(company, 'accept');
    await command(company, 'escalate', { reason: '车主不配合，需社区协调' });
    await command(community, 'accept');
    await command(community, 'escalate', { reason: '涉及执法，社区无权处置' });
    await command(street, 'accept');
    const whistle = await command(supervisor, 'whistle', { departmentIds: ['dept-urban', 'dept-fire'], reason: '占用消防通道，需执法' });
    expect(whistle.whistleId).toEqual(expect.any(String));
    await command(urban, 'department-report', { whistleId: whistle.whistleId, departmentId: 'dept-urban' });
    await command(fire, 'department-report', { whistleId: whistle.whistleId, departmentId: 'dept-fire' });
    await command(urban, 'department-action', { whistleId: whistle.whistleId, departmentId: 'dept-urban', action: '贴单告知并拖移车辆' });
    await command(fire, 'department-action', { whistleId: whistle.whistleId, departmentId: 'dept-fire', action: '消防检查并划设禁停标线' });
    await command(street, 'resolve', { summary: '车辆已清理，标线已划设', outcome: 'resolved' });
    await command(resident, 'rate', { rating: 'unsatisfied', solved: false, comment: '晚上又停满了' });
    await command(operator, 'reopen', { reason: '居民不满意：夜间仍被占用' });
    await command(operator, 'dispatch', { assigneeId: 'company-jinling', tier: 'grid' });
    await command(company, 'accept');
    await command(company, 'resolve', { summary: '加装隔离桩，夜间巡查', outcome: 'resolved' });
    await command(resident, 'rate', { rating: 'satisfied', solved: true });
    const closed = await command(operator, 'close', { reason: '居民满意，结案' });

    const expected: [string, string][] = [
      ['CaseReceived', 'user-resident-1'],
      ['CaseDispatched', 'user-operator-1'],
      ['CaseReturned', 'user-handler-grid-111'],
      ['CaseReturnReviewed', 'user-operator-1'],
      ['CaseDispatched', 'user-operator-1'],
      ['CaseAccepted', 'user-handler-company-jinling'],
      ['CaseEscalated', 'user-handler-company-jinling'],
      ['CaseAccepted', 'user-handler-community-11'],
      ['CaseEscalated', 'user-handler-community-11'],
      ['CaseAccepted', 'user-handler-street-fuzimiao'],
      ['WhistleBlown', 'user-supervisor-street-fuzimiao'],
      ['DepartmentReported', 'user-handler-dept-urban'],
      ['DepartmentReported', 'user-handler-dept-fire'],
      ['DepartmentActed', 'user-handler-dept-urban'],
      ['DepartmentActed', 'user-handler-dept-fire'],
      ['WhistleCompleted', 'user-handler-dept-fire'],
      ['CaseResolved', 'user-handler-street-fuzimiao'],
      ['CaseRated', 'user-resident-1'],
      ['CaseReopened', 'user-operator-1'],
      ['CaseDispatched', 'user-operator-1'],
      ['CaseAccepted', 'user-handler-company-jinling'],
      ['CaseResolved', 'user-handler-company-jinling'],
      ['CaseRated', 'user-resident-1'],
      ['CaseClosed', 'user-operator-1'],
    ];
    const history = expectOk(await api.request('GET', `/cases/${id}/events`, { token: operator }));
    expect(history.map((e: any) => [e.type, e.metadata.actor.id])).toEqual(expected);
    expect(history.map((e: any) => e.revision)).toEqual(expected.map((_, i) => i));
    expect(closed.revision).toBe(expected.length - 1);
    for (const entry of history) {
      expect(entry.metadata).toMatchObject({
        eventId: expect.any(String), caseId: id, streamId: `case-${id}`, commandId: expect.any(String),
        correlationId: expect.any(String), causationId: expect.any(String), schemaVersion: 1,
      });
    }
    // both departments' last action and the whistle's completion came from one command
    expect(history[15].metadata.commandId).toBe(history[14].metadata.commandId);
    expect(history[2].data).toMatchObject({ reason: 'overlapping_remit', assigneeId: 'grid-111' });
    expect(history[3].data).toMatchObject({ approved: true, assigneeId: 'grid-111', tier: 'grid' });
    expect(history[6].data).toMatchObject({ fromTier: 'grid', toTier: 'community', toAssigneeId: 'community-11' });
    expect(history[8].data).toMatchObject({ fromTier: 'community', toTier: 'street', toAssigneeId: 'street-fuzimiao' });

    const now = expectOk(await api.request('GET', `/cases/${id}`, { token: operator }));
    expect(now).toMatchObject({
      id, status: 'closed', tier: 'grid', assigneeId: 'company-jinling', revision: 23, reworkCount: 1,
      rating: { rating: 'satisfied', solved: true, source: 'resident' },
      closure: { kind: 'rated', reason: '居民满意，结案' },
    });
    expect(now.whistles[0]).toMatchObject({ status: 'complete', departments: [{ departmentId: 'dept-urban' }, { departmentId: 'dept-fire' }] });

    // the state at three points: by revision after the return, by time during the community's turn, and before the rework
    const afterReturn = expectOk(await api.request('GET', `/cases/${id}?asOf=2`, { token: operator }));
    expect(afterReturn).toMatchObject({ status: 'received', assigneeId: null, revision: 2, returns: [{ assigneeId: 'grid-111' }] });
    const midCommunity = new Date(Date.parse(times[7]) + 60_000).toISOString(); // after the community accepted
    const atCommunity = expectOk(await api.request('GET', `/cases/${id}?asOf=${encodeURIComponent(midCommunity)}`, { token: operator }));
    expect(atCommunity).toMatchObject({ status: 'accepted', tier: 'community', assigneeId: 'community-11', revision: 7 });
    const firstRating = expectOk(await api.request('GET', `/cases/${id}?asOf=17`, { token: operator }));
    expect(firstRating).toMatchObject({ status: 'resolved', tier: 'street', reworkCount: 0, rating: { rating: 'unsatisfied' } });
    expect(firstRating.whistles[0].status).toBe('complete');

    const beforeIntake = await api.request('GET', `/cases/${id}?asOf=2026-03-01T00:00:00Z`, { token: operator });
    expect(beforeIntake.status).toBe(404);
    const beyond = await api.request('GET', `/cases/${id}?asOf=99`, { token: operator });
    expect(beyond.status).toBe(400);
    expect(beyond.body.fields[0].field).toBe('asOf');
  });
});
