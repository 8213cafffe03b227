import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Queue, Worker } from 'bullmq';
import Database from 'better-sqlite3';
import IORedis from 'ioredis';
import { CalendarRegistry, CaseRepository } from '@civicloop/cases';
import { EVENT_STORE, EventStore } from '@civicloop/event-store';
import { APP_STATE_DB, AppConfig, CLOCK, Clock, REDIS_NAMESPACE } from '@civicloop/platform';
import { DeadlineCheckpoint } from './deadline-checkpoint';
import { DeadlineProcessor } from './deadline-processor';
import { DEADLINE_QUEUE, DeadlineJobData, redisConnection } from './deadline-queue';
import { DeadlineScheduler } from './deadline-scheduler';
import { CalendarRescheduler } from './calendar-rescheduler';
import { observeDeadlineQueue, Outage } from '@civicloop/platform';
import { loadSlaRules } from './sla-rules';
import { WorkerBreaker } from './worker-breaker';
import { PersonalDataRetention } from '../retention/personal-data-retention';

/** The retention job's name on the deadline queue (its data names no case). */
const RETENTION_JOB = 'personal_data_retention';

/**
 * Wires the scheduler (subscription consumer + reconciler) and the BullMQ worker that fires
 * deadlines. Without REDIS_URL it stays idle, so the API runs (and its tests pass) without Redis.
 */
@Injectable()
export class DeadlinesService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('Deadlines');
  private connections: IORedis[] = [];
  private queue: Queue<DeadlineJobData> | null = null;
  private worker: Worker<DeadlineJobData> | null = null;
  private scheduler: DeadlineScheduler | null = null;
  private breaker: WorkerBreaker | null = null;
  /** Settles once the reconciler has run and the subscription is live (tests and benchmarks wait on it). */
  ready: Promise<void> = Promise.resolve();

  constructor(
    private readonly config: AppConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(APP_STATE_DB) private readonly db: Database.Database,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly cases: CaseRepository,
    private readonly commandBus: CommandBus,
    private readonly calendars: CalendarRegistry,
    @Inject(REDIS_NAMESPACE) private readonly namespace: string,
    private readonly retention: PersonalDataRetention,
  ) {}

  get enabled(): boolean {
    return Boolean(this.config.REDIS_URL);
  }

  onApplicationBootstrap(): void {
    if (!this.config.REDIS_URL) {
      this.log.warn('REDIS_URL is not set: deadlines are disabled (nothing is scheduled or fired)');
      return;
    }
    const rules = loadSlaRules(this.config.SLA_POLICY_FILE, this.calendars);
    const url = this.config.REDIS_URL;
    const [queueConnection, workerConnection] = (this.connections = [redisConnection(url), redisConnection(url)]);
    const queueOutage = this.watch(queueConnection, 'queue');
    this.watch(workerConnection, 'worker');
    // the queue's keys under this event store's namespace: another store's worker never takes its jobs
    this.queue = new Queue<DeadlineJobData>(DEADLINE_QUEUE, { connection: queueConnection, prefix: this.namespace });
    this.queue.on('error', (error) => queueOutage.failed(error));
    const queue = this.queue;
    observeDeadlineQueue(() => queue.getJobCounts('delayed', 'waiting', 'active', 'failed'));
    const processor = new DeadlineProcessor(this.cases, this.commandBus, rules, this.clock);
    this.worker = new Worker<DeadlineJobData>(DEADLINE_QUEUE, (job, token) =>
      (job.name === RETENTION_JOB ? this.retention.run().then((r) => `erased ${r.erased.length}, failed ${r.failed.length}`) : processor.process(job, token)), {
      connection: workerConnection,
      prefix: this.namespace,
      concurrency: 16,
      lockDuration: this.config.DEADLINES_LOCK_MS,
      stalledInterval: this.config.DEADLINES_LOCK_MS,
    });
    if (this.retention.days > 0) {
      // Hourly, one schedule per deployment (the id is fixed): the run itself skips what is erased.
      void queue.upsertJobScheduler(RETENTION_JOB, { every: 3_600_000 }, { name: RETENTION_JOB, data: { caseId: '', deadlineId: RETENTION_JOB, dueAt: '' } })
        .catch((error: Error) => this.log.warn(`personal data retention not scheduled: ${error.message}`));
    }
    const retry = { baseMs: this.config.DEADLINES_RETRY_MS, maxMs: this.config.DEADLINES_RETRY_MS * 10 };
    this.breaker = new WorkerBreaker(this.worker, () => this.probeWrite(), new Outage(this.log, 'deadline worker'), retry);
    this.worker.on('error', (error) => this.breaker?.onError(error));
    this.worker.on('failed', (job, error) => this.log.warn(`deadline ${job?.id} failed (attempt ${job?.attemptsMade}): ${error.message}`));
    this.scheduler = new DeadlineScheduler(this.store, this.queue, rules, new DeadlineCheckpoint(this.db), this.clock, retry);
    const rescheduler = new CalendarRescheduler(this.store, this.queue, this.calendars, this.cases, this.commandBus, rules, this.clock);
    this.scheduler.onCalendarImported = (event) => rescheduler.imported(event);
    // The calendar in force before the first deadline is computed: imported years are in the store.
    const scheduler = this.scheduler;
    this.ready = this.calendars.refresh()
      .catch((error: Error) => this.log.warn(`imported calendar years not read (${error.message}): shipped years only until the next import`))
      .then(() => scheduler.start())
      .then((following) => {
        if (following) this.log.log(`deadlines on (policy ${rules.policy.version}, calendar ${rules.calendar.id})`);
      });
  }

  /** ioredis reports every failed reconnect: one outage line per connection, not one per attempt. */
  private watch(connection: IORedis, name: string): Outage {
    const outage = new Outage(this.log, `Redis connection (${name})`);
    connection.on('error', (error) => outage.failed(error)).on('ready', () => outage.recovered());
    return outage;
  }

  /** A write, which is what scheduling needs; a Redis that answers may still refuse writes. */
  private async probeWrite(): Promise<void> {
    const redis = this.connections[0];
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('Redis did not answer within 2 s')), 2000).unref());
    await Promise.race([redis.set(`${this.namespace}:health:${process.pid}`, this.clock.now().toISOString(), 'PX', 10_000), timeout]);
  }

  /**
   * Whether deadlines can be scheduled right now: a write to Redis, which is what scheduling needs.
   * A Redis that answers but refuses writes (MISCONF after a failed snapshot, READONLY replica)
   * would otherwise leave the service looking healthy while no deadline is set.
   */
  async health(): Promise<{ up: boolean; details: Record<string, unknown> }> {
    if (!this.connections[0]) return { up: true, details: { enabled: false, reason: 'REDIS_URL is not set' } };
    const refusal = await this.probeWrite().then(() => null, (error: Error) => error.message);
    const redis = refusal === null ? { redis: 'writable' } : { redis: 'refuses writes', error: refusal };
    // Both stay down until they have retried after Redis came back, so "up" means deadlines work again.
    const failing = this.scheduler?.failing ?? null;
    const paused = this.breaker?.paused ?? false;
    return {
      up: refusal === null && failing === null && !paused,
      details: {
        enabled: true, ...redis,
        scheduling: failing ?? 'following',
        worker: paused ? 'paused until a write to Redis goes through' : 'running',
      },
    };
  }

  /** Before the event store closes: stop taking events, let running jobs finish, release Redis. */
  async onModuleDestroy(): Promise<void> {
    observeDeadlineQueue(null);
    this.breaker?.stop();
    // Stopping first ends a retry wait at once; a reconciler waiting on an unreachable Redis must
    // not hold the shutdown for long either: the next start redoes it.
    await this.scheduler?.stop();
    await Promise.race([this.ready, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
    await this.worker?.close();
    await this.queue?.close();
    await Promise.all(this.connections.map((c) => c.quit().catch(() => c.disconnect())));
    this.connections = [];
  }
}
