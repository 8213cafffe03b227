import { ApiHarness, startApi } from '../support/api-harness';

/** 我的反映 over HTTP: a resident lists the cases they reported, and only those. */
describe('GET /views/my-cases (a resident\'s own cases)', () => {
  let api: ApiHarness;
  const ok = (res: { status: number; body: any }, status = 200) => {
    if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const report = (token: string, description: string, compoundId: string) => api.request('POST', '/cases', {
    token,
    body: { channel: 'online', category: 'repair.water_leak', urgency: 'normal', requestType: 'complaint', description, location: { compoundId }, reporter: { name: '居民', phone: '13800138000' } },
  });

  beforeAll(async () => { api = await startApi({ WORKER_IN_PROCESS: 'true', VIEWS_CONSISTENCY_TIMEOUT_MS: '5000' }); });
  afterAll(() => api?.close());

  it('lists the caller\'s reports newest first, never another resident\'s or an operator\'s intake', async () => {
    const wang = api.token('resident', 'compound-01');
    const li = api.token('resident', 'compound-05');
    const first = ok(await report(wang, '楼顶漏水', 'compound-01'), 201);
    api.clock.advance(60_000);
    const second = ok(await report(wang, '楼道灯坏了', 'compound-01'), 201);
    const theirs = ok(await report(li, '李先生家的水管', 'compound-05'), 201);
    const byOperator = ok(await api.request('POST', '/cases', {
      token: api.token('operator'),
      body: { channel: 'hotline_12345', category: 'repair.water_leak', urgency: 'normal', requestType: 'complaint', description: '热线来电', location: { compoundId: 'compound-01' }, reporter: { name: '王女士', phone: '13800138000' } },
    }), 201);
    const at = Math.max(first.position, second.position, theirs.position, byOperator.position);

    const mine = ok(await api.request('GET', `/views/my-cases?consistentWith=${at}`, { token: wang }));
    expect(mine.rows.map((r: { id: string }) => r.id)).toEqual([second.id, first.id]);
    expect(mine.rows[0]).toMatchObject({ status: 'received', compoundId: 'compound-01', channel: 'online' });

    const his = ok(await api.request('GET', `/views/my-cases?consistentWith=${at}`, { token: li }));
    expect(his.rows.map((r: { id: string }) => r.id)).toEqual([theirs.id]);
    // Nothing in the request can widen it: unknown parameters are refused, the board stays closed to residents.
    expect((await api.request('GET', '/views/my-cases?resident=user-resident-1', { token: li })).status).toBe(400);
    expect((await api.request('GET', '/views/board', { token: li })).status).toBe(403);
    expect((await api.request('GET', `/cases/${first.id}`, { token: li })).status).toBe(403);

    // An erased case is no longer linked to the resident who reported it.
    const erased = ok(await api.request('POST', `/cases/${first.id}/erase-personal-data`, { token: api.token('operator'), body: { reason: '居民申请删除' } }));
    const after = ok(await api.request('GET', `/views/my-cases?consistentWith=${erased.position}`, { token: wang }));
    expect(after.rows.map((r: { id: string }) => r.id)).toEqual([second.id]);
  });

  it('is a resident\'s list only, and checks its limit', async () => {
    for (const token of [api.token('operator'), api.token('handler', 'company-jinling'), api.token('supervisor', 'street-fuzimiao'), api.token('auditor')]) {
      const res = await api.request('GET', '/views/my-cases', { token });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('ROLE_NOT_ALLOWED');
    }
    expect((await api.request('GET', '/views/my-cases')).status).toBe(401);
    const bad = await api.request('GET', '/views/my-cases?limit=0', { token: api.token('resident', 'compound-01') });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('limit');
  });
});
