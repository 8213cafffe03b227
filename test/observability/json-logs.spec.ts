import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Role } from '@civicloop/domain';
import { Directory, DEMO_DIRECTORY_FILE } from '@civicloop/directory';
import { demoUser, signToken } from '../../apps/api/src/cli/token';
import { ApiProcess, startApiProcess } from '../support/api-process';
import { RedisServer, startRedis } from '../support/redis-server';

jest.setTimeout(120_000);

const SECRET = 'obs-test-secret-0123456789abcdef-0123456789';
const directory = Directory.fromFile(DEMO_DIRECTORY_FILE);
const token = (role: Role, org?: string) => signToken(SECRET, demoUser(directory, role, org), '1h');
const intake = {
  channel: 'phone', category: 'repair.water_leak', urgency: 'normal', requestType: 'complaint', description: '楼顶漏水，雨天渗到卧室',
  location: { compoundId: 'compound-01', building: '3' }, reporter: { name: '王女士', phone: '13800138000' },
};

type LogLine = Record<string, unknown>;

/** Polls the process's stdout until `found` holds for its lines (the consumers log after the answer). */
async function linesUntil(api: ApiProcess, found: (lines: LogLine[]) => boolean): Promise<LogLine[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const lines = api.stdout().split('\n').filter(Boolean).map((line) => JSON.parse(line) as LogLine);
    if (found(lines) || Date.now() > deadline) return lines;
    await new Promise((done) => setTimeout(done, 50));
  }
}

/** The built API with its consumers in process (projections, deadlines on a real Redis), logging at debug. */
describe('JSON logs of one command, read from a started service', () => {
  let dataDir: string;
  let redis: RedisServer;
  let api: ApiProcess;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'civicloop-logs-'));
    redis = await startRedis();
    api = await startApiProcess({
      DATA_DIR: dataDir, JWT_SECRET: SECRET, WORKER_IN_PROCESS: 'true', REDIS_URL: redis.url, LOG_LEVEL: 'debug',
    });
  });
  afterAll(async () => {
    await api?.stop();
    await redis?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('carries the caller\'s X-Correlation-Id on the request line, the append and the consumers\' lines', async () => {
    const correlationId = `hotline-${randomUUID()}`;
    const operator = token('operator');
    const answer = await api.request('POST', '/cases', { token: operator, body: intake, headers: { 'x-correlation-id': correlationId } });
    expect(answer.status).toBe(201);
    expect(answer.headers.get('x-correlation-id')).toBe(correlationId);
    const caseId: string = answer.body.id;

    const mine = (line: LogLine) => line.correlationId === correlationId
      || (Array.isArray(line.correlationIds) && line.correlationIds.includes(correlationId));
    const lines = await linesUntil(api, (all) => {
      const found = all.filter(mine);
      return found.some((l) => l.msg === 'scheduled') && found.filter((l) => l.msg === 'applied').length >= 3;
    });
    const found = lines.filter(mine);

    expect(found.find((l) => l.msg === 'request')).toMatchObject({
      method: 'POST', route: '/cases', status: 201, durationMs: expect.any(Number), actorId: demoUser(directory, 'operator').id,
    });
    expect(found.find((l) => l.msg === 'appended')).toMatchObject({ context: 'Gate', caseId, command: 'ReceiveCase', revision: 0 });
    expect(found.find((l) => l.msg === 'scheduled')).toMatchObject({ context: 'Deadlines', caseId, scheduled: expect.any(Array) });
    const projections = found.filter((l) => l.msg === 'applied').map((l) => l.context);
    expect(new Set(projections)).toEqual(new Set(['Projection:board', 'Projection:stats', 'Projection:chain']));

    // The case's events carry the same id, so a line and an event can be joined.
    const events = await api.request('GET', `/cases/${caseId}/events`, { token: operator });
    expect(events.body[0].metadata.correlationId).toBe(correlationId);
  });

  it('generates a correlation id when none is given and stores it in the events', async () => {
    const operator = token('operator');
    const answer = await api.request('POST', '/cases', { token: operator, body: intake });
    const correlationId = answer.headers.get('x-correlation-id');
    expect(correlationId).toMatch(/^[0-9a-f-]{36}$/);
    const events = await api.request('GET', `/cases/${answer.body.id}/events`, { token: operator });
    expect(events.body[0].metadata.correlationId).toBe(correlationId);
    const lines = await linesUntil(api, (all) => all.some((l) => l.correlationId === correlationId && l.msg === 'appended'));
    expect(lines.filter((l) => l.correlationId === correlationId).map((l) => l.msg)).toEqual(expect.arrayContaining(['request', 'appended']));
  });

  it('writes JSON only: no colour codes, no token, no personal data, Nest\'s own lines included', async () => {
    const operator = token('operator');
    await api.request('POST', '/cases', { token: operator, body: intake });
    const text = api.stdout();
    expect(text).not.toContain('\u001b[');
    expect(text).not.toContain(operator);
    expect(text).not.toContain(SECRET);
    for (const personal of ['王女士', '13800138000', '楼顶漏水']) expect(text).not.toContain(personal);
    const lines = text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as LogLine);
    expect(lines.some((l) => l.context === 'Bootstrap' && String(l.msg).startsWith('civicloop API on '))).toBe(true);
    expect(lines.every((l) => typeof l.level === 'number' && typeof l.time === 'string')).toBe(true);
  });
});
