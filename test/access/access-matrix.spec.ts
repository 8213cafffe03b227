import { Role } from '@civicloop/domain';
import { Directory } from '@civicloop/directory';
import { demoUser, signToken } from '../../apps/api/src/cli/token';
import { ApiHarness, startApi } from '../support/api-harness';

/**
 * Every role × every endpoint × in scope / out of scope → allowed (2xx) or 403, and the resident's
 * name and phone never reach anyone who may not see them.
 */
const NAME = '王女士';
const PHONE = '13800138000';
/** Not hex, so it can never match inside a case id. */
const UNIT = '二单元502室';
const ROLES: Role[] = ['resident', 'operator', 'handler', 'supervisor', 'auditor', 'admin'];

type Stage = 'none' | 'received' | 'dispatched' | 'accepted' | 'extension' | 'street' | 'whistled' | 'reported'
  | 'supervised' | 'resolved' | 'rated' | 'escalated' | 'returned';
interface Endpoint {
  name: string;
  stage: Stage;
  method: 'GET' | 'POST';
  path: (id: string) => string;
  body?: (ctx: { whistleId?: string; supervisionId?: string; primaryId?: string }) => unknown;
  /** The unit of the handler who is in scope (default: the assignee, company-jinling). */
  handlerUnit?: string;
  allowed: Partial<Record<Role, 'in' | 'both'>>;
  /**
   * A view: open to every staff role, its rows narrowed to the caller's jurisdiction. `reveals`
   * is what the answer contains exactly when the prepared case is visible to the caller.
   */
  view?: { reveals: (id: string) => string };
}

const STAFF = { operator: 'both', handler: 'both', supervisor: 'both', auditor: 'both' } as const;

const endpoints: Endpoint[] = [
  { name: 'receive (app)', stage: 'none', method: 'POST', path: () => '/cases', allowed: { resident: 'both', operator: 'both', handler: 'in' }, handlerUnit: 'grid-111' },
  { name: 'read', stage: 'accepted', method: 'GET', path: (id) => `/cases/${id}`, allowed: { resident: 'in', operator: 'both', handler: 'in', supervisor: 'in', auditor: 'both' } },
  { name: 'history', stage: 'accepted', method: 'GET', path: (id) => `/cases/${id}/events`, allowed: { resident: 'in', operator: 'both', handler: 'in', supervisor: 'in', auditor: 'both' } },
  { name: 'directory', stage: 'none', method: 'GET', path: () => '/directory', allowed: { resident: 'both', operator: 'both', handler: 'both', supervisor: 'both', auditor: 'both', admin: 'both' } },
  { name: 'dispatch', stage: 'received', method: 'POST', path: (id) => `/cases/${id}/dispatch`, body: () => ({ assigneeId: 'company-jinling', tier: 'grid' }), allowed: { operator: 'both' } },
  { name: 'accept', stage: 'dispatched', method: 'POST', path: (id) => `/cases/${id}/accept`, body: () => ({}), allowed: { handler: 'in' } },
  { name: 'return', stage: 'dispatched', method: 'POST', path: (id) => `/cases/${id}/return`, body: () => ({ reason: 'other', note: 'x' }), allowed: { handler: 'in' } },
  { name: 'note', stage: 'accepted', method: 'POST', path: (id) => `/cases/${id}/note`, body: () => ({ text: '进展' }), allowed: { handler: 'in', operator: 'both' } },
  { name: 'extension-request', stage: 'accepted', method: 'POST', path: (id) => `/cases/${id}/extension-request`, body: () => ({ until: '2027-01-04T02:00:00Z', reason: 'x' }), allowed: { handler: 'in' } },
  { name: 'extension-decision', stage: 'extension', method: 'POST', path: (id) => `/cases/${id}/extension-decision`, body: () => ({ approved: true }), allowed: { supervisor: 'in' } },
  { name: 'resolve', stage: 'accepted', method: 'POST', path: (id) => `/cases/${id}/resolve`, body: () => ({ summary: 'x', outcome: 'resolved' }), allowed: { handler: 'in' } },
  { name: 'escalate', stage: 'accepted', method: 'POST', path: (id) => `/cases/${id}/escalate`, body: () => ({ reason: 'x' }), allowed: { handler: 'in', supervisor: 'in' } },
  { name: 'whistle', stage: 'street', method: 'POST', path: (id) => `/cases/${id}/whistle`, body: () => ({ departmentIds: ['dept-urban'], reason: 'x' }),
    handlerUnit: 'street-fuzimiao', allowed: { supervisor: 'in', handler: 'in' } },
  { name: 'whistle-withdraw', stage: 'whistled', method: 'POST', path: (id) => `/cases/${id}/whistle-withdraw`,
    body: ({ whistleId }) => ({ whistleId, reason: '已协调' }), allowed: { supervisor: 'in' } },
  { name: 'transfer', stage: 'received', method: 'POST', path: (id) => `/cases/${id}/transfer`, body: () => ({ compoundId: 'compound-02', reason: 'x' }), allowed: { operator: 'both' } },
  { name: 'remind', stage: 'accepted', method: 'POST', path: (id) => `/cases/${id}/remind`, body: () => ({ note: '请尽快' }), allowed: { operator: 'both', supervisor: 'in' } },
  { name: 'recall', stage: 'dispatched', method: 'POST', path: (id) => `/cases/${id}/recall`, body: () => ({ reason: '派错' }), allowed: { operator: 'both' } },
  { name: 'return-review', stage: 'returned', method: 'POST', path: (id) => `/cases/${id}/return-review`, body: () => ({ approved: true }), allowed: { operator: 'both' } },
  { name: 'department-report', stage: 'whistled', method: 'POST', path: (id) => `/cases/${id}/department-report`, handlerUnit: 'dept-urban',
    body: ({ whistleId }) => ({ whistleId, departmentId: 'dept-urban' }), allowed: { handler: 'in' } },
  { name: 'department-action', stage: 'reported', method: 'POST', path: (id) => `/cases/${id}/department-action`, handlerUnit: 'dept-urban',
    body: ({ whistleId }) => ({ whistleId, departmentId: 'dept-urban', action: 'x' }), allowed: { handler: 'in' } },
  { name: 'supervise', stage: 'accepted', method: 'POST', path: (id) => `/cases/${id}/supervise`, body: () => ({ reason: 'x' }), allowed: { supervisor: 'in' } },
  { name: 'supervision-answer', stage: 'supervised', method: 'POST', path: (id) => `/cases/${id}/supervision-answer`,
    body: ({ supervisionId }) => ({ supervisionId, answer: 'x' }), allowed: { handler: 'in' } },
  { name: 'rate', stage: 'resolved', method: 'POST', path: (id) => `/cases/${id}/rate`, body: () => ({ rating: 'unsatisfied', solved: false }), allowed: { resident: 'in', operator: 'both' } },
  { name: 'reopen', stage: 'rated', method: 'POST', path: (id) => `/cases/${id}/reopen`, body: () => ({ reason: 'x' }), allowed: { supervisor: 'in', operator: 'both' } },
  { name: 'close (withdraw)', stage: 'received', method: 'POST', path: (id) => `/cases/${id}/close`, body: () => ({ reason: 'x' }), allowed: { operator: 'both', resident: 'in' } },
  { name: 'close (rated)', stage: 'rated', method: 'POST', path: (id) => `/cases/${id}/close`, body: () => ({ reason: 'x' }), allowed: { operator: 'both' } },
  { name: 'merge', stage: 'received', method: 'POST', path: (id) => `/cases/${id}/merge`, body: ({ primaryId }) => ({ intoCaseId: primaryId }), allowed: { operator: 'both' } },
  { name: 'board', stage: 'accepted', method: 'GET', path: () => '/views/board', allowed: STAFF, view: { reveals: (id) => id } },
  { name: 'satisfaction', stage: 'rated', method: 'GET', path: () => '/views/satisfaction?groupBy=handler', allowed: STAFF, view: { reveals: () => 'company-jinling' } },
  { name: 'three-rates', stage: 'accepted', method: 'GET', path: () => '/views/three-rates?groupBy=handler&month=2026-03', allowed: STAFF, view: { reveals: () => 'company-jinling' } },
  { name: 'response-times', stage: 'accepted', method: 'GET', path: () => '/views/response-times?groupBy=handler', allowed: STAFF, view: { reveals: () => 'company-jinling' } },
  { name: 'escalations', stage: 'escalated', method: 'GET', path: () => '/views/escalations?groupBy=community', allowed: STAFF, view: { reveals: () => 'community-' } },
  { name: 'projection lag', stage: 'none', method: 'GET', path: () => '/views/projections', allowed: STAFF },
  { name: 'chain', stage: 'accepted', method: 'GET', path: (id) => `/cases/${id}/chain`, allowed: { resident: 'in', operator: 'both', handler: 'in', supervisor: 'in', auditor: 'both' } },
  { name: 'dossier', stage: 'accepted', method: 'GET', path: (id) => `/cases/${id}/dossier`, allowed: { supervisor: 'in', auditor: 'both' } },
  { name: 'unmask', stage: 'accepted', method: 'POST', path: (id) => `/cases/${id}/unmask`, body: () => ({ reason: '复核' }), allowed: { auditor: 'both' } },
];

/** The in-scope and out-of-scope user of each role for an endpoint. */
function users(role: Role, endpoint: Endpoint): { in: [Role, string?, string?]; out: [Role, string?, string?] } {
  switch (role) {
    case 'resident': return { in: ['resident', undefined, 'user-resident-1'], out: ['resident', undefined, 'user-resident-2'] };
    case 'handler': {
      const unit = endpoint.handlerUnit ?? 'company-jinling';
      const other = unit === 'dept-urban' ? 'dept-police' : unit === 'grid-111' ? 'grid-311' : unit === 'street-fuzimiao' ? 'street-zhonghuamen' : 'company-huarun';
      return { in: ['handler', unit], out: ['handler', other] };
    }
    case 'supervisor': return { in: ['supervisor', 'street-fuzimiao'], out: ['supervisor', 'street-zhonghuamen'] };
    default: return { in: [role], out: [role] };
  }
}

describe('access control matrix', () => {
  let api: ApiHarness;
  let directory: Directory;
  const tokenFor = ([role, org, userId]: [Role, string?, string?]) => {
    const user = userId ? directory.user(userId)! : demoUser(directory, role, org);
    return signToken(api.config.JWT_SECRET, user, '1h');
  };
  beforeAll(async () => {
    // The projections run in process, so the views have the prepared cases (asked consistentWith).
    api = await startApi({ INTAKE_LIMIT_PER_USER: '100000', INTAKE_LIMIT_PER_IP: '100000', WORKER_IN_PROCESS: 'true' });
    directory = Directory.fromFile(api.config.DIRECTORY_FILE);
  });
  afterAll(async () => { await api.close(); });

  async function prepare(stage: Stage) {
    const op = api.token('operator');
    const co = api.token('handler', 'company-jinling');
    const st = api.token('handler', 'street-fuzimiao');
    const sup = api.token('supervisor', 'street-fuzimiao');
    const ok = async (path: string, token: string, body: unknown) => {
      const res = await api.request('POST', path, { token, body });
      if (res.status >= 300) throw new Error(`prepare ${stage}: ${path} → ${res.status} ${JSON.stringify(res.body)}`);
      ctx.position = res.body.position;
      return res.body;
    };
    const ctx: { id: string; whistleId?: string; supervisionId?: string; primaryId?: string; position?: number } = { id: '' };
    if (stage === 'none') return ctx;
    // Each prepared case is the newest one, so it heads the board's first page (newest first).
    api.clock.advance(1000);
    const intake = {
      channel: 'online', category: 'repair.water_leak', urgency: 'normal', requestType: 'complaint', description: '漏水',
      location: { compoundId: 'compound-01', building: '3', unit: UNIT }, reporter: { name: NAME, phone: PHONE },
    };
    ctx.id = (await ok('/cases', api.token('resident', 'compound-01'), intake)).id;
    ctx.primaryId = (await ok('/cases', op, { ...intake, channel: 'phone' })).id;
    const c = (command: string) => `/cases/${ctx.id}/${command}`;
    if (stage === 'received') return ctx;
    if (stage === 'street') {
      await ok(c('dispatch'), op, { assigneeId: 'street-fuzimiao', tier: 'street' });
      await ok(c('accept'), st, {});
      return ctx;
    }
    if (stage === 'whistled' || stage === 'reported') {
      await ok(c('dispatch'), op, { assigneeId: 'street-fuzimiao', tier: 'street' });
      await ok(c('accept'), st, {});
      ctx.whistleId = (await ok(c('whistle'), sup, { departmentIds: ['dept-urban'], reason: 'x' })).whistleId;
      if (stage === 'reported') await ok(c('department-report'), api.token('handler', 'dept-urban'), { whistleId: ctx.whistleId, departmentId: 'dept-urban' });
      return ctx;
    }
    await ok(c('dispatch'), op, { assigneeId: 'company-jinling', tier: 'grid' });
    if (stage === 'dispatched') return ctx;
    if (stage === 'returned') {
      await ok(c('return'), co, { reason: 'other', note: 'x' });
      return ctx;
    }
    await ok(c('accept'), co, {});
    if (stage === 'extension') await ok(c('extension-request'), co, { until: '2027-01-04T02:00:00Z', reason: 'x' });
    if (stage === 'supervised') ctx.supervisionId = (await ok(c('supervise'), sup, { reason: 'x' })).supervisionId;
    if (stage === 'escalated') await ok(c('escalate'), co, { reason: '需要社区协调' });
    if (stage === 'resolved' || stage === 'rated') await ok(c('resolve'), co, { summary: 'x', outcome: 'resolved' });
    if (stage === 'rated') await ok(c('rate'), api.token('resident', 'compound-01'), { rating: 'unsatisfied', solved: false });
    return ctx;
  }

  const bodyFor = (endpoint: Endpoint, ctx: Awaited<ReturnType<typeof prepare>>, role: Role, _scope: 'in' | 'out') => {
    if (endpoint.name !== 'receive (app)') return endpoint.body?.(ctx);
    const base = { category: 'repair.lift', urgency: 'normal', requestType: 'report', description: '巡查发现', location: { compoundId: 'compound-01' } };
    return role === 'handler' ? { ...base, channel: 'grid_patrol' } : { ...base, channel: 'online', reporter: { name: NAME, phone: PHONE } };
  };

  const rows = endpoints.flatMap((endpoint) => ROLES.flatMap((role) => (['in', 'out'] as const).map((scope) => {
    const rule = endpoint.allowed[role];
    const allowed = rule === 'both' || (rule === 'in' && scope === 'in');
    return [endpoint.name, role, scope, allowed ? 'allowed' : '403', endpoint] as const;
  })));

  it.each(rows)('%s by %s (%s scope) → %s', async (_name, role, scope, expected, endpoint) => {
    const ctx = await prepare(endpoint.stage);
    const user = users(role, endpoint)[scope];
    const path = endpoint.path(ctx.id);
    const consistent = ctx.position === undefined || !(endpoint.view || endpoint.name === 'chain') ? '' : `${path.includes('?') ? '&' : '?'}consistentWith=${ctx.position}`;
    const res = await api.request(endpoint.method, `${path}${consistent}`, { token: tokenFor(user), body: bodyFor(endpoint, ctx, role, scope) });
    if (expected === 'allowed') {
      expect({ status: res.status, body: res.status < 300 ? 'ok' : res.body }).toEqual({ status: endpoint.method === 'POST' && endpoint.path('x') === '/cases' ? 201 : 200, body: 'ok' });
      if (endpoint.view) {
        const visible = role === 'operator' || role === 'auditor' || scope === 'in';
        expect({ visible: JSON.stringify(res.body).includes(endpoint.view.reveals(ctx.id)) }).toEqual({ visible });
      }
    } else {
      expect(res.status).toBe(403);
    }
    // Personal data reaches only operators, the current assignee, the reporting resident, and an auditor's recorded unmask.
    const text = JSON.stringify(res.body);
    const maySee = role === 'operator' || (role === 'resident' && scope === 'in') || (endpoint.name === 'unmask' && expected === 'allowed') ||
      (role === 'handler' && scope === 'in' && !endpoint.handlerUnit && endpoint.stage !== 'received');
    if (!maySee) {
      expect(text).not.toContain(PHONE);
      expect(text).not.toContain(NAME);
      expect(text).not.toContain(UNIT);
    }
  });

  it.each(endpoints.map((e) => [e.name, e] as const))('%s: 401 without a token, with an expired one, with one signed by another key', async (_n, endpoint) => {
    const ctx = await prepare(endpoint.stage === 'none' ? 'none' : 'received');
    const path = endpoint.path(ctx.id || 'x');
    const body = endpoint.method === 'POST' ? {} : undefined;
    const operator = demoUser(directory, 'operator');
    const tokens = [undefined, signToken(api.config.JWT_SECRET, operator, '-10s'), signToken('a-different-key-a-different-key-123456', operator, '1h')];
    for (const token of tokens) {
      const res = await api.request(endpoint.method, path, { token, body });
      expect(res.status).toBe(401);
      expect(JSON.stringify(res.body)).not.toContain(PHONE);
    }
  });

  it('an auditor reads everything masked, unmasks with a reason, and the unmask is in the history', async () => {
    const ctx = await prepare('accepted');
    const auditor = api.token('auditor');
    const masked = (await api.request('GET', `/cases/${ctx.id}`, { token: auditor })).body;
    expect(masked.reporter).toEqual({ name: '王**', phone: '138****8000', anonymous: false });
    expect(masked.location.unit).toBe('***');
    const noReason = await api.request('POST', `/cases/${ctx.id}/unmask`, { token: auditor, body: {} });
    expect(noReason.status).toBe(400);
    const unmasked = await api.request('POST', `/cases/${ctx.id}/unmask`, { token: auditor, body: { reason: '重复投诉核查' } });
    expect(unmasked.body.reporter).toMatchObject({ name: NAME, phone: PHONE });
    const history = (await api.request('GET', `/cases/${ctx.id}/events`, { token: auditor })).body;
    expect(history.at(-1)).toMatchObject({ type: 'PersonalDataUnmasked', data: { reason: '重复投诉核查' }, metadata: { actor: { role: 'auditor' } } });
    expect(JSON.stringify(history)).not.toContain(PHONE);
    // the assignee sees the data while it holds the case, and no longer once it has been escalated away
    const company = api.token('handler', 'company-jinling');
    expect((await api.request('GET', `/cases/${ctx.id}`, { token: company })).body.reporter.phone).toBe(PHONE);
    await api.request('POST', `/cases/${ctx.id}/escalate`, { token: company, body: { reason: 'x' } });
    const after = await api.request('GET', `/cases/${ctx.id}`, { token: company });
    expect(after.status).toBe(200);
    expect(JSON.stringify(after.body)).not.toContain(PHONE);
  });
});
