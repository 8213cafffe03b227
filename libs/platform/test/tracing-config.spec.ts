import { trace } from '@opentelemetry/api';
import { ConfigInvalid, inSpan, loadConfig, startTracing, stopTracing, tracingOn } from '../src';

/** Traces are off unless asked for, and a wrong setting stops the start with the field named. */
describe('tracing configuration', () => {
  const base = { NODE_ENV: 'test', DATA_DIR: '/tmp/civicloop-tracing-config' };

  it('is off by default, and then a span is a direct call with nothing recorded', async () => {
    expect(loadConfig(base).tracingMode).toBe('off');
    expect(tracingOn()).toBe(false);
    const seen = await inSpan('command ReceiveCase', { attributes: { a: 'b' } }, async (span) => ({ span, active: trace.getActiveSpan() }));
    expect(seen).toEqual({ span: null, active: undefined });
  });

  it('turns to otlp when only a collector endpoint is given; TRACING wins when both are', () => {
    expect(loadConfig({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318' }).tracingMode).toBe('otlp');
    expect(loadConfig({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318', TRACING: 'off' }).tracingMode).toBe('off');
    expect(loadConfig({ ...base, TRACING: 'console' }).tracingMode).toBe('console');
  });

  it('a stop while the start still loads the SDK leaves tracing off; of two starts at once, one starts it', async () => {
    const exporter = { export: (_spans: unknown[], done: (result: { code: number }) => void) => done({ code: 0 }), shutdown: async () => undefined };
    const pending = startTracing('console', { exporter });
    await stopTracing();
    expect(await pending).toBe(true);
    expect(tracingOn()).toBe(false);
    const both = await Promise.all([startTracing('otlp'), startTracing('console', { exporter })]);
    expect(both).toEqual([true, false]);
    expect(tracingOn()).toBe(true);
    await stopTracing();
    expect(tracingOn()).toBe(false);
  });

  it('refuses an unknown mode or an endpoint that is not an http(s) URL, naming the variable', () => {
    expect(() => loadConfig({ ...base, TRACING: 'jaeger' })).toThrow(ConfigInvalid);
    expect(() => loadConfig({ ...base, TRACING: 'jaeger' })).toThrow(/TRACING/);
    expect(() => loadConfig({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'otel-collector:4318' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
  });
});
