import { EVENT_STORE, EventStore } from '@civicloop/event-store';
import { ApiHarness, startApi } from '../support/api-harness';

/** Hostile or mistaken input answers a clear 4xx naming the field, over plain HTTP, and writes nothing. */
describe('bad input is a 4xx, never a 500, and writes nothing', () => {
  let api: ApiHarness;
  let op: string;
  let caseId: string;
  const intake = {
    channel: 'hotline_12345', category: 'repair.water_leak', urgency: 'normal', requestType: 'complaint',
    description: '楼顶漏水', location: { compoundId: 'compound-01' }, reporter: { name: '王女士', phone: '13800138000' },
  };
  const head = () => api.app.get<EventStore>(EVENT_STORE).headPosition();
  const raw = (path: string, body: string, headers: Record<string, string>) =>
    api.request('POST', path, { token: op, body, headers });

  beforeAll(async () => {
    api = await startApi({ INTAKE_LIMIT_PER_USER: '1000' });
    op = api.token('operator');
    caseId = (await api.request('POST', '/cases', { token: op, body: intake })).body.id;
  });
  afterAll(async () => { await api.close(); });

  it('a body nested thousands of levels deep (under the size limit) is a 400, on intake and with an Idempotency-Key', async () => {
    const before = await head();
    const deep = `${'{"a":'.repeat(4000)}1${'}'.repeat(4000)}`;
    const arrays = `{"description":${'['.repeat(6000)}${']'.repeat(6000)}}`;
    for (const [path, body, key] of [['/cases', deep, undefined], [`/cases/${caseId}/note`, arrays, 'deep-1'], ['/cases', JSON.stringify({ ...intake, location: { compoundId: 'compound-01', x: JSON.parse(deep) } }), 'deep-2']] as const) {
      const response = await raw(path, body, { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) });
      expect([path, response.status, response.body.code]).toEqual([path, 400, 'BODY_TOO_DEEP']);
    }
    expect(await head()).toBe(before);
  });

  it.each(['__proto__', 'constructor', 'prototype'])('a %s key is refused naming the field, not dropped', async (key) => {
    const before = await head();
    const body = `{"text":"已上门查看","${key}":{"isAdmin":true}}`;
    const response = await raw(`/cases/${caseId}/note`, body, { 'content-type': 'application/json' });
    expect(response.status).toBe(400);
    expect(response.body.fields).toEqual([{ field: key, problem: expect.stringContaining('prototype keys are refused') }]);
    const nested = await raw('/cases', JSON.stringify(intake).replace('"compoundId"', `"${key}":{},"compoundId"`), { 'content-type': 'application/json' });
    expect(nested.body.fields).toEqual([{ field: `location.${key}`, problem: expect.any(String) }]);
    expect(await head()).toBe(before);
  });

  it('only application/json bodies: a form or text intake is a 415, and no body escapes the 64 kB limit', async () => {
    const before = await head();
    const form = new URLSearchParams({ channel: 'hotline_12345', description: 'x'.repeat(90_000) }).toString();
    expect((await raw('/cases', form, { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(415);
    expect((await raw('/cases', 'hello', { 'content-type': 'text/plain' })).status).toBe(415);
    const noType = await fetch(`${api.baseUrl}/cases`, { method: 'POST', headers: { authorization: `Bearer ${op}` }, body: new Uint8Array(Buffer.from(JSON.stringify(intake))) });
    expect(noType.status).toBe(415);
    const big = await raw('/cases', JSON.stringify({ ...intake, description: 'x'.repeat(70_000) }), { 'content-type': 'application/json' });
    expect([big.status, big.body.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    expect((await raw('/cases', '{"channel":', { 'content-type': 'application/json; charset=utf-8' })).status).toBe(400);
    expect(await head()).toBe(before);
  });

  it.each([
    ['/views/satisfaction?groupBy=street&from=2026-02-30', 'from'],
    ['/views/satisfaction?groupBy=street&to=2026-11-31', 'to'],
    ['/views/response-times?groupBy=street&from=2026-13-45', 'from'],
    ['/views/escalations?groupBy=street&from=2026-03-31&to=2026-03-01', 'to'],
    ['/views/board?receivedFrom=2026-02-30T00:00:00Z', 'receivedFrom'],
    ['/views/board?receivedFrom=2026-03-02T00:00:00Z&receivedTo=2026-03-01T00:00:00Z', 'receivedTo'],
    ['/views/three-rates?groupBy=street&month=2026-13', 'month'],
  ])('%s is a 400 naming %s', async (path, field) => {
    const response = await api.request('GET', path, { token: op });
    expect(response.status).toBe(400);
    expect(response.body.fields.map((f: { field: string }) => f.field)).toContain(field);
  });

  it('asOf=2026-02-30T10:00:00Z is a 400, not March 2nd', async () => {
    const response = await api.request('GET', `/cases/${caseId}?asOf=2026-02-30T10:00:00Z`, { token: op });
    expect([response.status, response.body.fields?.[0]?.field]).toEqual([400, 'asOf']);
  });

  it('valid dates still answer 200, leap day included', async () => {
    expect((await api.request('GET', '/views/satisfaction?groupBy=street&from=2028-02-29&to=2028-03-01', { token: op })).status).toBe(200);
    expect((await api.request('GET', '/views/satisfaction?groupBy=street&from=2026-03-01&to=2026-03-01', { token: op })).status).toBe(200);
  });
});

describe('429 carries the standard Retry-After', () => {
  let api: ApiHarness;
  beforeAll(async () => { api = await startApi({ INTAKE_LIMIT_PER_USER: '1', INTAKE_LIMIT_WINDOW_SECONDS: '60' }); });
  afterAll(async () => { await api.close(); });

  it('the second intake in the window is a 429 with Retry-After in seconds', async () => {
    const token = api.token('operator');
    const body = {
      channel: 'hotline_12345', category: 'repair.lift', urgency: 'normal', requestType: 'help', description: '电梯异响',
      location: { compoundId: 'compound-02' }, reporter: { name: '李先生', phone: '13900000000' },
    };
    expect((await api.request('POST', '/cases', { token, body })).status).toBe(201);
    const refused = await api.request('POST', '/cases', { token, body });
    expect(refused.status).toBe(429);
    const seconds = Number(refused.headers.get('retry-after'));
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThanOrEqual(60);
  });
});
