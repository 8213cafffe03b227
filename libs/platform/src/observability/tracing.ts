import { Attributes, context, Context, Link, Span, SpanContext, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { SpanExporter, TracerProvider } from '@opentelemetry/sdk-trace';

export type TracingMode = 'off' | 'console' | 'otlp';

/**
 * OpenTelemetry traces, off unless configured (TRACING, or an OTEL_EXPORTER_OTLP_ENDPOINT). Spans
 * are made by hand where the work is (HTTP interceptor, the gate, the append, the deadline
 * consumer and jobs) rather than by monkey-patching modules, so the same spans come out whatever
 * HTTP adapter serves the API. While off, `inSpan` is a flag test and a direct call: nothing is
 * allocated and no context manager runs.
 */
let provider: TracerProvider | null = null;
const tracer = () => trace.getTracer('civicloop');

/** A start still loading the SDK: a second start waits for it, and a stop stops what it starts. */
let starting: Promise<boolean> | null = null;

/**
 * Starts the SDK once per process; `exporter` lets a test collect spans in memory. The SDK and its
 * exporter (~240 modules, ~0.2 s to load) are loaded only here: a process with traces off (the
 * default, and every CLI command and rebuild thread) never loads them. True when this call started it.
 */
export function startTracing(mode: TracingMode, options: { endpoint?: string; exporter?: SpanExporter } = {}): Promise<boolean> {
  if (provider || mode === 'off') return Promise.resolve(false);
  if (starting) return starting.then(() => false, () => false);
  const started = launch(mode, options).finally(() => { starting = null; });
  starting = started;
  return started;
}

async function launch(mode: Exclude<TracingMode, 'off'>, options: { endpoint?: string; exporter?: SpanExporter }): Promise<boolean> {
  const sdk = await import('@opentelemetry/sdk-trace');
  const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
  const exporter = options.exporter ?? (mode === 'console' ? new sdk.ConsoleSpanExporter() : await otlpExporter(options.endpoint));
  const processor = mode === 'console' || options.exporter ? new sdk.SimpleSpanProcessor({ exporter }) : new sdk.BatchSpanProcessor({ exporter, scheduledDelayMillis: 1000 });
  provider = new sdk.TracerProvider({ spanProcessors: [processor] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  return true;
}

async function otlpExporter(endpoint: string | undefined): Promise<SpanExporter> {
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
  return new OTLPTraceExporter(endpoint ? { url: tracesUrl(endpoint) } : {});
}

/** OTEL_EXPORTER_OTLP_ENDPOINT names the collector; traces go to its /v1/traces (as the spec says for the base endpoint). */
const tracesUrl = (endpoint: string) => `${endpoint.replace(/\/+$/, '')}/v1/traces`;

/** Sends what is buffered and stops the SDK (on shutdown). */
export async function stopTracing(): Promise<void> {
  // A start still loading the SDK (a shutdown right after start-up) ends first, so this stops it.
  await starting?.catch(() => undefined);
  const running = provider;
  provider = null;
  if (!running) return;
  await running.forceFlush();
  await running.shutdown();
  trace.disable();
  context.disable();
}

export const tracingOn = () => provider !== null;

/**
 * Commands' trace contexts by correlation id, for the consumers in this process: events do not
 * carry a trace context (they are the hashed legal record, and their schema is the auditors'), so a
 * consumer that reads an event finds the command's span here by the event's correlation id and
 * continues its trace. A consumer in another process (the worker on its own) starts a trace of its
 * own, with the correlation id as an attribute. Bounded: the oldest entries go first.
 */
const commandSpans = new Map<string, SpanContext>();
const KEPT = 10_000;

export function rememberCommandSpan(correlationId: string): void {
  const span = trace.getActiveSpan();
  if (!provider || !span) return;
  commandSpans.delete(correlationId);
  commandSpans.set(correlationId, span.spanContext());
  if (commandSpans.size > KEPT) commandSpans.delete(commandSpans.keys().next().value ?? '');
}

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** Continue the trace of the command with this correlation id (consumers, jobs). */
  followsCorrelationId?: string;
  /** Commands the work also serves (a projection batch holds the events of many): linked, not parents. */
  alsoLinksCorrelationIds?: readonly string[];
}

/** Runs `work` inside a span (child of the active one, or of the command it follows); a no-op while tracing is off. */
export async function inSpan<T>(name: string, options: SpanOptions, work: (span: Span | null) => Promise<T>): Promise<T> {
  if (!provider) return work(null);
  let parent: Context = context.active();
  const links: Link[] = [];
  const followed = options.followsCorrelationId ? commandSpans.get(options.followsCorrelationId) : undefined;
  if (followed) {
    parent = trace.setSpanContext(parent, followed);
    links.push({ context: followed });
  }
  for (const correlationId of options.alsoLinksCorrelationIds ?? []) {
    const linked = commandSpans.get(correlationId);
    if (linked && linked !== followed) links.push({ context: linked });
  }
  return tracer().startActiveSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes, links }, parent, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : 'error' });
      throw error;
    } finally {
      span.end();
    }
  });
}

export { SpanKind };
