import { collectDefaultMetrics, Counter, Gauge, Histogram, register } from 'prom-client';

/**
 * The service's Prometheus metrics, one registry per process (prom-client's default). Labels hold
 * command types, refusal codes, projection names and job states only: never an id or a person.
 * Instrumented where the work happens (the gate, the consumers), not per controller.
 */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export const commandsTotal = new Counter({
  name: 'civicloop_commands_total',
  help: 'Commands through the one gate, by command type and outcome (accepted, refused, failed).',
  labelNames: ['type', 'outcome'] as const,
});

export const commandSeconds = new Histogram({
  name: 'civicloop_command_duration_seconds',
  help: 'Time a command spends in the gate (load, authorize, decide, append, retries), by type and outcome.',
  labelNames: ['type', 'outcome'] as const,
  buckets: LATENCY_BUCKETS,
});

export const refusalsTotal = new Counter({
  name: 'civicloop_command_refusals_total',
  help: 'Commands refused, by stable refusal code and command type.',
  labelNames: ['code', 'type'] as const,
});

export const appendSeconds = new Histogram({
  name: 'civicloop_append_duration_seconds',
  help: 'Time of one append to the event store (a transaction with an fsync on SQLite).',
  buckets: LATENCY_BUCKETS,
});

export const rebuildPosition = new Gauge({
  name: 'civicloop_projection_rebuild_position',
  help: 'Position a rebuild has replayed up to (progress: this over civicloop_projection_rebuild_head).',
  labelNames: ['projection'] as const,
});

export const rebuildHead = new Gauge({
  name: 'civicloop_projection_rebuild_head',
  help: 'Head of the log a rebuild replays towards.',
  labelNames: ['projection'] as const,
});

export const deadlinesScheduledTotal = new Counter({
  name: 'civicloop_deadlines_scheduled_total',
  help: 'Deadline jobs added to the queue as events set them.',
});

export const deadlinesFiredTotal = new Counter({
  name: 'civicloop_deadlines_fired_total',
  help: 'Deadlines that fell due and were handled, by outcome (recorded, refused, stale).',
  labelNames: ['outcome'] as const,
});

export const deadlineLatenessSeconds = new Histogram({
  name: 'civicloop_deadline_lateness_seconds',
  help: 'How long after its due time a deadline was recorded.',
  buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
});

export const sseClients = new Gauge({
  name: 'civicloop_sse_clients',
  help: 'Clients connected to the live event feed (GET /events/stream) of this process.',
});

/** A value read at scrape time; a source that fails or takes longer than a second is skipped. */
type Source<T> = () => Promise<T>;
const SCRAPE_TIMEOUT_MS = 1000;
async function read<T>(source: Source<T> | null): Promise<T | null> {
  if (!source) return null;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), SCRAPE_TIMEOUT_MS)));
  try {
    return await Promise.race([source(), timeout]);
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

let projectionSource: Source<{ name: string; lag: number; position: number | null }[]> | null = null;
let queueSource: Source<Record<string, number>> | null = null;

/** The projections' lag and position, read from their checkpoints at each scrape. */
export function observeProjections(source: NonNullable<typeof projectionSource>): void {
  projectionSource = source;
}

/** The deadline queue's job counts by state (delayed = pending deadlines), read at each scrape. */
export function observeDeadlineQueue(source: NonNullable<typeof queueSource> | null): void {
  queueSource = source;
}

new Gauge({
  name: 'civicloop_projection_lag_events',
  help: 'Events in the log the projection has not applied yet (log bytes on EventStoreDB).',
  labelNames: ['projection'] as const,
  async collect() {
    const lags = await read(projectionSource);
    lags?.forEach((l) => this.set({ projection: l.name }, l.lag));
  },
});

new Gauge({
  name: 'civicloop_projection_position',
  help: 'Position of the last event the projection applied.',
  labelNames: ['projection'] as const,
  async collect() {
    const lags = await read(projectionSource);
    lags?.forEach((l) => this.set({ projection: l.name }, l.position ?? 0));
  },
});

new Gauge({
  name: 'civicloop_deadline_jobs',
  help: 'Deadline jobs in the queue by state: delayed are the pending deadlines; waiting + active is the queue depth.',
  labelNames: ['state'] as const,
  async collect() {
    const counts = await read(queueSource);
    if (counts) for (const [state, count] of Object.entries(counts)) this.set({ state }, count);
  },
});

let defaultsOn = false;
/** Process CPU, memory, event-loop lag and GC (once per process: several apps may share it in tests). */
export function collectProcessMetrics(): void {
  if (defaultsOn) return;
  defaultsOn = true;
  collectDefaultMetrics();
}

export const metricsRegistry = register;
