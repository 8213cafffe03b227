import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Directory, DEMO_DIRECTORY_FILE } from '@civicloop/directory';
import { demoUser, signToken } from '../../apps/api/src/cli/token';
import { ApiProcess, startApiProcess } from '../support/api-process';
import { RedisServer, startRedis } from '../support/redis-server';

jest.setTimeout(120_000);

const SECRET = 'tracing-test-secret-0123456789abcdef-01234';
const directory = Directory.fromFile(DEMO_DIRECTORY_FILE);
const intake = {
  channel: 'phone', category: 'repair.water_leak', urgency: 'normal', requestType: 'complaint', description: '楼顶漏水',
  location: { compoundId: 'compound-01' }, reporter: { name: '王女士', phone: '13800138000' },
};

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: { key: string; value: { stringValue?: string; intValue?: string | number } }[];
}
interface OtlpExport {
  resourceSpans?: { scopeSpans?: { spans?: OtlpSpan[] }[] }[];
}

/** A stand-in OTLP/HTTP collector: keeps the spans the service exports as JSON to /v1/traces. */
async function startCollector(): Promise<{ url: string; spans: OtlpSpan[]; paths: string[]; server: Server }> {
  const spans: OtlpSpan[] = [];
  const paths: string[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      paths.push(request.url ?? '');
      const body: OtlpExport = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      for (const resource of body.resourceSpans ?? []) for (const scope of resource.scopeSpans ?? []) spans.push(...(scope.spans ?? []));
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, paths, server };
}

const attribute = (span: OtlpSpan, key: string) => span.attributes?.find((a) => a.key === key)?.value.stringValue;

/** The built service with tracing switched on by config, exporting to a collector the test runs. */
describe('OpenTelemetry traces (TRACING=otlp)', () => {
  let dataDir: string;
  let redis: RedisServer;
  let collector: Awaited<ReturnType<typeof startCollector>>;
  let api: ApiProcess;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'civicloop-tracing-'));
    redis = await startRedis();
    collector = await startCollector();
    api = await startApiProcess({
      DATA_DIR: dataDir, JWT_SECRET: SECRET, WORKER_IN_PROCESS: 'true', REDIS_URL: redis.url,
      TRACING: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
    });
  });
  afterAll(async () => {
    await api?.stop();
    await redis?.stop();
    await new Promise((done) => collector?.server.close(done));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('exports one trace for a command: HTTP request → command → append, and the deadline and projection consumers of its event', async () => {
    const correlationId = `hotline-${randomUUID()}`;
    const operator = signToken(SECRET, demoUser(directory, 'operator'), '1h');
    const answer = await api.request('POST', '/cases', { token: operator, body: intake, headers: { 'x-correlation-id': correlationId } });
    expect(answer.status).toBe(201);

    const named = (name: string) => collector.spans.find((s) => s.name === name && attribute(s, 'civicloop.correlation_id') === correlationId);
    const deadline = Date.now() + 30_000;
    const projected = () => collector.spans.filter((s) => s.name.startsWith('project ') && attribute(s, 'civicloop.correlation_id') === correlationId);
    while (!(named('POST /cases') && named('command ReceiveCase') && named('consume deadlines') && projected().length >= 3) && Date.now() < deadline) {
      await new Promise((done) => setTimeout(done, 200));
    }
    const http = named('POST /cases');
    const command = named('command ReceiveCase');
    const consumer = named('consume deadlines');
    expect(http).toBeDefined();
    expect(command).toMatchObject({ traceId: http?.traceId, parentSpanId: http?.spanId });
    const append = collector.spans.find((s) => s.name === 'append' && s.parentSpanId === command?.spanId);
    expect(append).toMatchObject({ traceId: http?.traceId });
    expect(consumer).toMatchObject({ traceId: http?.traceId, parentSpanId: command?.spanId });
    // Each projection's batch that applied the event continues the command's trace.
    expect(projected().map((s) => s.name).sort()).toEqual(['project board', 'project chain', 'project stats']);
    for (const batch of projected()) expect(batch).toMatchObject({ traceId: http?.traceId, parentSpanId: command?.spanId });
    expect(collector.paths.every((path) => path === '/v1/traces')).toBe(true);
    // Span names and attributes hold routes, types and ids, never the resident's data.
    const exported = JSON.stringify(collector.spans);
    for (const personal of ['王女士', '13800138000', '楼顶漏水', operator]) expect(exported).not.toContain(personal);
  });
});
