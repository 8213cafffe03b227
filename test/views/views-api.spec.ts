import { ApiHarness, startApi } from '../support/api-harness';

describe('views over HTTP (embedded: SQLite, projections in-process)', () => {
  let api: ApiHarness;
  let operator: string;
  let supervisor: string;

  const ok = (res: { status: number; body: any }, status = 200) => {  
    if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  };

  beforeAll(async () => {
    api = await startApi({ WORKER_IN_PROCESS: 'true', VIEWS_CONSISTENCY_TIMEOUT_MS: '300' });
    operator = api.token('operator');
    supervisor = api.token('supervisor', 'street-fuzimiao');
  });
  afterAll(() => api?.close());

  async function intake() {
    return ok(await api.request('POST', '/cases', {
      token: operator,
      body: {
        channel: 'hotline_12345', category: 'repair.lift', urgency: 'urgent', requestType: 'help', description: '电梯停运, lift stuck',
        location: { compoundId: 'compound-01' }, reporter: { name: '王女士', phone: '13800138000' },
      },
    }), 201);
  }

  it('answers with the case a command just wrote when asked consistentWith its position', async () => {
    const { id, position } = await intake();
    const board = ok(await api.request('GET', `/views/board?consistentWith=${position}&q=lift`, { token: operator }));
    expect(board.rows.map((r: { id: string }) => r.id)).toContain(id);
    const row = board.rows.find((r: { id: string }) => r.id === id);
    expect(row).toMatchObject({ status: 'received', urgency: 'urgent', compoundId: 'compound-01', sla: { signFor: 'PT1H' } });
  });

  it('answers 503 with the lag when the position is not reached in time', async () => {
    const res = await api.request('GET', '/views/satisfaction?groupBy=street&consistentWith=999999', { token: operator });
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('VIEW_NOT_CAUGHT_UP');
    expect(res.body.lag).toEqual([expect.objectContaining({ projection: 'stats', lag: 0 })]);
  });

  it('gives the escalation chain of a case', async () => {
    const { id } = await intake();
    ok(await api.request('POST', `/cases/${id}/dispatch`, { token: operator, body: { assigneeId: 'grid-111', tier: 'grid' } }));
    api.clock.advance(30 * 60_000);
    const { position } = ok(await api.request('POST', `/cases/${id}/escalate`, { token: api.token('handler', 'grid-111'), body: { reason: 'needs the community' } }));
    const chain = ok(await api.request('GET', `/cases/${id}/chain?consistentWith=${position}`, { token: supervisor }));
    expect(chain.tiers).toEqual(['grid', 'community']);
    expect(chain.assignments).toEqual([
      expect.objectContaining({ via: 'dispatch', assigneeId: 'grid-111', endedBy: 'escalated' }),
      expect.objectContaining({ via: 'escalation', tier: 'community', to: null, escalationReason: 'needs the community' }),
    ]);
    expect((await api.request('GET', '/cases/nope/chain', { token: operator })).status).toBe(404);
  });

  it('gives CSV with ?format=csv', async () => {
    const { position } = await intake();
    const res = await api.request('GET', `/views/board?format=csv&consistentWith=${position}`, { token: operator });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const [header, ...lines] = String(res.body).trim().split('\r\n');
    expect(header.split(',')).toEqual(expect.arrayContaining(['id', 'status', 'overdue.signFor', 'sla.resolve']));
    expect(lines.length).toBeGreaterThan(0);
  });

  it.each([
    ['/views/satisfaction', 'groupBy'],
    ['/views/satisfaction?groupBy=street&period=year', 'period'],
    ['/views/three-rates?groupBy=street&month=2026-13', 'month'],
    ['/views/response-times?groupBy=handler&from=yesterday', 'from'],
    ['/views/escalations?groupBy=grid', 'groupBy'],
    ['/views/board?status=lost', 'status'],
    ['/views/board?area=street-nowhere', 'area'],
    ['/views/board?cursor=xyz', 'cursor'],
    ['/views/board?limit=0', 'limit'],
    ['/views/board?consistentWith=-1', 'consistentWith'],
  ])('refuses bad input %s with a 400 naming the field', async (path, field) => {
    const res = await api.request('GET', path, { token: operator });
    expect(res.status).toBe(400);
    expect(res.body.fields).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
  });

  it('reports projection lag in /health and as a metric', async () => {
    const health = ok(await api.request('GET', '/health'));
    expect(health.details.projections.lags.map((l: { name: string }) => l.name).sort()).toEqual(['board', 'chain', 'stats']);
    const metrics = await api.request('GET', '/views/projections/metrics');
    expect(String(metrics.body)).toMatch(/civicloop_projection_lag_events\{projection="board"\} \d+/);
  });

  it('keeps residents out of the views', async () => {
    expect((await api.request('GET', '/views/board', { token: api.token('resident') })).status).toBe(403);
  });
});
