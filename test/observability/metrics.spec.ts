import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import parsePrometheusTextFormat, { MetricFamily } from 'parse-prometheus-text-format';
import { Role } from '@civicloop/domain';
import { Directory, DEMO_DIRECTORY_FILE } from '@civicloop/directory';
import { demoUser, signToken } from '../../apps/api/src/cli/token';
import { freePort } from '../support/free-port';
import { ApiProcess, startApiProcess } from '../support/api-process';
import { RedisServer, startRedis } from '../support/redis-server';

jest.setTimeout(120_000);

const SECRET = 'metrics-test-secret-0123456789abcdef-012345';
const directory = Directory.fromFile(DEMO_DIRECTORY_FILE);
const token = (role: Role, org?: string) => signToken(SECRET, demoUser(directory, role, org), '1h');
const intake = {
  channel: 'phone', category: 'repair.water_leak', urgency: 'normal', requestType: 'complaint', description: '楼顶漏水',
  location: { compoundId: 'compound-01' }, reporter: { name: '王女士', phone: '13800138000' },
};

/**
 * The scrape parsed twice: as typed families, and as plain series (TYPE lines dropped), because
 * the parser folds a histogram's label sets into one; as series, `…_count{type=…}` keeps its labels.
 */
async function scrape(url: string): Promise<MetricFamily[]> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  const text = await response.text();
  const untyped = text.split('\n').filter((line) => !line.startsWith('# TYPE')).join('\n');
  const typed = parsePrometheusTextFormat(text);
  const names = new Set(typed.map((f) => f.name));
  return [...typed, ...parsePrometheusTextFormat(untyped).filter((f) => !names.has(f.name))];
}

const family = (families: MetricFamily[], name: string) => families.find((f) => f.name === name);
/** A sample's value (counter, gauge, a histogram's _count series); 0 when the series does not exist yet. */
function valueOf(families: MetricFamily[], name: string, labels: Record<string, string>): number {
  // As plain series, a name comes back once per run of lines: look through every run.
  const sample = families.filter((f) => f.name === name).flatMap((f) => f.metrics)
    .find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return Number(sample?.value ?? 0);
}

/** The built service with its consumers in process, scraped over HTTP and parsed as Prometheus text. */
describe('/metrics of a started service', () => {
  let dataDir: string;
  let redis: RedisServer;
  let api: ApiProcess;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'civicloop-metrics-'));
    redis = await startRedis();
    api = await startApiProcess({ DATA_DIR: dataDir, JWT_SECRET: SECRET, WORKER_IN_PROCESS: 'true', REDIS_URL: redis.url });
  });
  afterAll(async () => {
    await api?.stop();
    await redis?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('counts a command and a refusal by type, outcome and code, with latencies, without a token', async () => {
    const before = await scrape(`${api.baseUrl}/metrics`);
    const operator = token('operator');
    const created = await api.request('POST', '/cases', { token: operator, body: intake });
    expect(created.status).toBe(201);
    // A company accepting a case nobody dispatched to it: the gate's authorize refuses it with a stable code.
    const refused = await api.request('POST', `/cases/${created.body.id}/accept`, { token: token('handler', 'company-jinling'), body: {} });
    expect(refused.status).toBe(403);
    const after = await scrape(`${api.baseUrl}/metrics`);

    const delta = (name: string, labels: Record<string, string>) => valueOf(after, name, labels) - valueOf(before, name, labels);
    expect(delta('civicloop_commands_total', { type: 'ReceiveCase', outcome: 'accepted' })).toBe(1);
    expect(delta('civicloop_commands_total', { type: 'AcceptCase', outcome: 'refused' })).toBe(1);
    expect(delta('civicloop_command_refusals_total', { code: refused.body.code, type: 'AcceptCase' })).toBe(1);
    expect(delta('civicloop_command_duration_seconds_count', { type: 'ReceiveCase', outcome: 'accepted' })).toBe(1);
    expect(delta('civicloop_command_duration_seconds_count', { type: 'AcceptCase', outcome: 'refused' })).toBe(1);
    expect(family(after, 'civicloop_command_duration_seconds')?.type).toBe('HISTOGRAM');
    const appends = family(after, 'civicloop_append_duration_seconds')?.metrics[0];
    expect(Number(appends?.count)).toBeGreaterThanOrEqual(1);
    expect(Number(appends?.buckets?.['+Inf'])).toBe(Number(appends?.count));
    for (const name of ['civicloop_projection_lag_events', 'civicloop_projection_position', 'civicloop_deadline_jobs', 'process_resident_memory_bytes']) {
      expect(family(after, name)?.metrics.length).toBeGreaterThan(0);
    }
    expect(valueOf(after, 'civicloop_projection_lag_events', { projection: 'board' })).toBeGreaterThanOrEqual(0);
  });

  it('moves the deadline counters when an event sets deadlines, and holds no ids or personal data', async () => {
    const operator = token('operator');
    const created = await api.request('POST', '/cases', { token: operator, body: intake });
    // A dispatch sets the deadline to sign for the case.
    const dispatched = await api.request('POST', `/cases/${created.body.id}/dispatch`, { token: operator, body: { assigneeId: 'company-jinling', tier: 'grid' } });
    expect(dispatched.status).toBe(200);
    const pending = async () => valueOf(await scrape(`${api.baseUrl}/metrics`), 'civicloop_deadline_jobs', { state: 'delayed' });
    const deadline = Date.now() + 20_000;
    while ((await pending()) < 1 && Date.now() < deadline) await new Promise((done) => setTimeout(done, 100));
    const text = await (await fetch(`${api.baseUrl}/metrics`)).text();
    expect(valueOf(parsePrometheusTextFormat(text), 'civicloop_deadlines_scheduled_total', {})).toBeGreaterThanOrEqual(1);
    expect(await pending()).toBeGreaterThanOrEqual(1);
    for (const secret of [created.body.id, '王女士', '13800138000', demoUser(directory, 'operator').id]) expect(text).not.toContain(secret);
  });

  it('counts the clients of the live event feed while they are connected', async () => {
    const clients = async () => valueOf(await scrape(`${api.baseUrl}/metrics`), 'civicloop_sse_clients', {});
    const until = async (wanted: number) => {
      const deadline = Date.now() + 20_000;
      while ((await clients()) !== wanted && Date.now() < deadline) await new Promise((done) => setTimeout(done, 100));
      return clients();
    };
    expect(await until(0)).toBe(0);
    const feeds = [new AbortController(), new AbortController()];
    const answers = await Promise.all(feeds.map((feed) => fetch(`${api.baseUrl}/events/stream`, {
      headers: { authorization: `Bearer ${token('operator')}` }, signal: feed.signal,
    })));
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(await until(2)).toBe(2);
    feeds[0].abort();
    expect(await until(1)).toBe(1);
    feeds[1].abort();
    expect(await until(0)).toBe(0);
  });
});

describe('METRICS_PORT', () => {
  it('moves /metrics to its own port; the API port answers 404 there', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'civicloop-metrics-port-'));
    const metricsPort = await freePort();
    const api = await startApiProcess({ DATA_DIR: dataDir, JWT_SECRET: SECRET, METRICS_PORT: String(metricsPort) });
    try {
      expect((await api.request('GET', '/metrics')).status).toBe(404);
      const families = await scrape(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(family(families, 'civicloop_commands_total')).toBeDefined();
    } finally {
      await api.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
