import { ApiHarness, startApi } from '../support/api-harness';

const intakeBody = {
  channel: 'phone', category: 'repair.lift', urgency: 'urgent', requestType: 'help',
  description: '3栋电梯停运', location: { compoundId: 'compound-02' }, reporter: { name: '李先生', phone: '13900000000' },
};

describe('API contract', () => {
  let api: ApiHarness;
  let operator: string;
  beforeAll(async () => {
    api = await startApi();
    operator = api.token('operator');
  });
  afterAll(async () => { await api.close(); });

  const newCase = async () => (await api.request('POST', '/cases', { token: operator, body: intakeBody })).body.id as string;
  const dispatched = async (assigneeId = 'company-huarun') => {
    const id = await newCase();
    await api.request('POST', `/cases/${id}/dispatch`, { token: operator, body: { assigneeId, tier: 'grid' } });
    return id;
  };

  it('two concurrent accepts: exactly one succeeds, the other gets 409, one acceptance in the history', async () => {
    const handler = api.token('handler', 'company-huarun');
    for (let round = 0; round < 5; round++) {
      const id = await dispatched();
      const answers = await Promise.all([1, 2].map(() => api.request('POST', `/cases/${id}/accept`, { token: handler, body: {} })));
      expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
      const refused = answers.find((a) => a.status === 409)!;
      expect(['CASE_NOT_DISPATCHED', 'CONCURRENCY_CONFLICT']).toContain(refused.body.code);
      const history = (await api.request('GET', `/cases/${id}/events`, { token: operator })).body;
      expect(history.filter((e: any) => e.type === 'CaseAccepted')).toHaveLength(1);
    }
  });

  it('bad bodies get 400 with every field and its problem, and write nothing', async () => {
    const health = (await api.request('GET', '/health')).body;
    // the connection that commits appends (the SQLite writer thread) answers, durable against a power cut
    expect(health.details.eventStore.writer).toEqual({ journalMode: 'wal', synchronous: 2 });
    const before = health.details.eventStore.headPosition;
    const res = await api.request('POST', '/cases', {
      token: operator,
      body: { ...intakeBody, channel: 'fax', description: '   ', location: { compoundId: 7, lat: 200 }, extra: true },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    const fields = res.body.fields.map((f: any) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['channel', 'description', 'location.compoundId', 'location.lat', 'extra']));
    for (const f of res.body.fields) expect(f.problem).toEqual(expect.any(String));
    expect((await api.request('GET', '/health')).body.details.eventStore.headPosition).toBe(before);
  });

  it('malformed JSON, a missing body and unknown directory entries are 400s, never 500', async () => {
    const malformed = await api.request('POST', '/cases', { token: operator, body: '{"channel":' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toEqual(expect.any(String));
    expect((await api.request('POST', '/cases', { token: operator })).status).toBe(400);
    const unknownCategory = await api.request('POST', '/cases', { token: operator, body: { ...intakeBody, category: 'x.y' } });
    expect(unknownCategory.status).toBe(400);
    expect(unknownCategory.body).toMatchObject({ code: 'UNKNOWN_CATEGORY', fields: [{ field: 'category' }] });
    const id = await newCase();
    const unknownUnit = await api.request('POST', `/cases/${id}/dispatch`, { token: operator, body: { assigneeId: 'nobody', tier: 'grid' } });
    expect(unknownUnit.status).toBe(400);
    expect(unknownUnit.body).toMatchObject({ code: 'UNKNOWN_UNIT', fields: [{ field: 'assigneeId' }] });
    const wrongKind = await api.request('POST', `/cases/${id}/dispatch`, { token: operator, body: { assigneeId: 'dept-fire', tier: 'grid' } });
    expect(wrongKind.body).toMatchObject({ code: 'UNIT_KIND_NOT_ALLOWED_AT_TIER', fields: [{ field: 'assigneeId' }] });
    const badTier = await api.request('POST', `/cases/${id}/dispatch`, { token: operator, body: { assigneeId: 'grid-111', tier: 'city' } });
    expect(badTier.body.fields).toEqual([{ field: 'tier', problem: expect.stringContaining('grid, community, street, district') }]);
    const badDate = await api.request('POST', `/cases/${id}/supervise`, { token: api.token('supervisor', 'district-qinhuai'), body: { reason: 'x', answerBy: 'tomorrow' } });
    expect(badDate.body.fields[0].field).toBe('answerBy');
    expect((await api.request('GET', `/cases/${id}?asOf=yesterday`, { token: operator })).status).toBe(400);
  });

  it('an unknown case is 404, an illegal transition 409 with its code, a non-assignee 403', async () => {
    const missing = await api.request('POST', '/cases/00000000-0000-4000-8000-000000000000/accept', { token: operator, body: {} });
    expect(missing).toMatchObject({ status: 404, body: { code: 'CASE_NOT_FOUND' } });
    expect((await api.request('GET', '/cases/nope', { token: operator })).status).toBe(404);
    expect((await api.request('GET', '/cases/nope/events', { token: operator })).status).toBe(404);
    const id = await dispatched('company-huarun');
    const illegal = await api.request('POST', `/cases/${id}/resolve`, { token: api.token('handler', 'company-huarun'), body: { summary: 'x', outcome: 'resolved' } });
    expect(illegal).toMatchObject({ status: 409, body: { code: 'CASE_NOT_ACCEPTED' } });
    const other = await dispatched('company-huarun');
    const notAssignee = await api.request('POST', `/cases/${other}/accept`, { token: api.token('handler', 'company-jinling'), body: {} });
    expect(notAssignee).toMatchObject({ status: 403, body: { code: 'OUT_OF_SCOPE' } });
    expect((await api.request('GET', `/cases/${id}/events`, { token: operator })).body).toHaveLength(2);
  });

  it('Idempotency-Key: the same key and body answers the first answer and writes nothing; another body is 422', async () => {
    const headers = { 'Idempotency-Key': 'intake-0001' };
    const first = await api.request('POST', '/cases', { token: operator, body: intakeBody, headers });
    const again = await api.request('POST', '/cases', { token: operator, body: { ...intakeBody }, headers });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await api.request('GET', `/cases/${first.body.id}/events`, { token: operator })).body).toHaveLength(1);
    const head = (await api.request('GET', '/health')).body.details.eventStore.headPosition;
    expect(head).toBe(first.body.position);
    const reused = await api.request('POST', '/cases', { token: operator, body: { ...intakeBody, urgency: 'normal' }, headers });
    expect(reused).toMatchObject({ status: 422, body: { code: 'IDEMPOTENCY_KEY_REUSED' } });
    // a refused command does not hold its key: the retry runs again and is refused again
    const id = first.body.id;
    const retry = { token: operator, body: { assigneeId: 'grid-112', tier: 'street' }, headers: { 'Idempotency-Key': 'dispatch-1' } };
    const refused = await api.request('POST', `/cases/${id}/dispatch`, retry);
    const refusedAgain = await api.request('POST', `/cases/${id}/dispatch`, retry);
    expect([refused.status, refusedAgain.status]).toEqual([400, 400]);
    expect(refusedAgain.headers.get('idempotent-replayed')).toBeNull();
    const corrected = await api.request('POST', `/cases/${id}/dispatch`, { ...retry, body: { assigneeId: 'grid-112', tier: 'grid' } });
    expect(corrected.status).toBe(200);
  });

  it('identity is real: no token, a forged token and an expired token are 401; the actor comes from the token only', async () => {
    expect((await api.request('GET', '/directory')).status).toBe(401);
    const forged = operator.slice(0, -4) + (operator.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect((await api.request('GET', '/directory', { token: forged })).status).toBe(401);
    const { signToken, demoUser } = await import('../../apps/api/src/cli/token');
    const { Directory } = await import('@civicloop/directory');
    const directory = Directory.fromFile(api.config.DIRECTORY_FILE);
    const expired = signToken(api.config.JWT_SECRET, demoUser(directory, 'operator'), '-1s');
    expect((await api.request('GET', '/directory', { token: expired })).body).toMatchObject({ code: 'UNAUTHENTICATED', message: 'the token has expired' });
    const otherKey = signToken('another-key-another-key-another-key-1234', demoUser(directory, 'operator'), '1h');
    expect((await api.request('GET', '/directory', { token: otherKey })).status).toBe(401);
    const { JwtService } = await import('@nestjs/jwt');
    const noExpiry = new JwtService({ secret: api.config.JWT_SECRET }).sign({ sub: 'user-operator-1', role: 'operator', org: 'district-qinhuai' });
    expect((await api.request('GET', '/directory', { token: noExpiry })).body).toMatchObject({ code: 'UNAUTHENTICATED', message: 'the token has no expiry' });
    const noneAlg = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'x', role: 'admin', exp: 9999999999 })).toString('base64url')}.`;
    expect((await api.request('GET', '/directory', { token: noneAlg })).status).toBe(401);
    const spoof = await api.request('POST', '/cases', { token: operator, body: { ...intakeBody, actor: { id: 'someone-else' } } });
    expect(spoof.status).toBe(400);
  });

  it('serves the directory, health and the OpenAPI document', async () => {
    const directory = (await api.request('GET', '/directory', { token: operator })).body;
    const count = (kind: string) => directory.units.filter((u: any) => u.kind === kind).length;
    expect(count('district')).toBe(1);
    expect(count('street')).toBeGreaterThanOrEqual(3);
    expect(count('community')).toBeGreaterThanOrEqual(6);
    expect(count('grid')).toBeGreaterThanOrEqual(12);
    expect(count('compound')).toBeGreaterThanOrEqual(20);
    expect(count('company')).toBeGreaterThanOrEqual(5);
    expect(count('department')).toBeGreaterThanOrEqual(6);
    expect(directory.units.filter((u: any) => u.kind === 'compound').every((u: any) => u.companyId)).toBe(true);
    expect(directory.categories.find((c: any) => c.code === 'safety.flying_wire').defaultDepartmentIds).toEqual(['dept-fire', 'dept-power']);
    const health = await api.request('GET', '/health');
    expect(health).toMatchObject({ status: 200, body: { status: 'ok' } });
    const openApi = await api.request('GET', '/docs-json');
    expect(openApi.status).toBe(200);
    expect(Object.keys(openApi.body.paths)).toEqual(expect.arrayContaining(['/cases', '/cases/{id}/whistle', '/cases/{id}/events', '/directory']));
  });
});
