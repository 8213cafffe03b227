import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Queue, Worker } from 'bullmq';
import Database from 'better-sqlite3';
import IORedis from 'ioredis';
import { CaseRepository } from '@civicloop/cases';
import { EVENT_STORE, EventStore } from '@civicloop/event-store';
import { APP_STATE_DB, AppConfig, CLOCK, Clock } from '@civicloop/platform';
import { DeadlineCheckpoint } from './deadline-checkpoint';
import { DeadlineProcessor } from './deadline-processor';
import { DEADLINE_QUEUE, DeadlineJobData, redisConnection } from './deadline-queue';
import { DeadlineScheduler } from './deadline-scheduler';
import { loadSlaRules } from './sla-rules';

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
  /** Settles once the reconciler has run and the subscription is live (tests and benchmarks wait on it). */
  ready: Promise<void> = Promise.resolve();

  constructor(
    private readonly config: AppConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(APP_STATE_DB) private readonly db: Database.Database,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly cases: CaseRepository,
    private readonly commandBus: CommandBus,
  ) {}

  get enabled(): boolean {
    return Boolean(this.config.REDIS_URL);
  }

  onApplicationBootstrap(): void {
    if (!this.config.REDIS_URL) {
      this.log.warn('REDIS_URL is not set: deadlines are disabled (nothing is scheduled or fired)');
      return;
    }
    const rules = loadSlaRules(this.config.SLA_POLICY_FILE);
    const url = this.config.REDIS_URL;
    const [queueConnection, workerConnection] = (this.connections = [redisConnection(url), redisConnection(url)]);
    const onError = (what: string) => (error: unknown) => this.log.error(`${what}: ${(error as Error)?.message ?? error}`);
    queueConnection.on('error', onError('redis'));
    workerConnection.on('error', onError('redis'));
    this.queue = new Queue<DeadlineJobData>(DEADLINE_QUEUE, { connection: queueConnection });
    this.queue.on('error', onError('queue'));
    const processor = new DeadlineProcessor(this.cases, this.commandBus, rules, this.clock);
    this.worker = new Worker<DeadlineJobData>(DEADLINE_QUEUE, (job, token) => processor.process(job, token), {
      connection: workerConnection,
      concurrency: 16,
      lockDuration: this.config.DEADLINES_LOCK_MS,
      stalledInterval: this.config.DEADLINES_LOCK_MS,
    });
    this.worker.on('error', onError('worker'));
    this.worker.on('failed', (job, error) => this.log.warn(`deadline ${job?.id} failed (attempt ${job?.attemptsMade}): ${error.message}`));
    this.scheduler = new DeadlineScheduler(this.store, this.queue, rules, new DeadlineCheckpoint(this.db), this.clock);
    this.ready = this.scheduler.start(onError('deadline subscription stopped')).then(
      () => this.log.log(`deadlines on (policy ${rules.policy.version}, calendar ${rules.calendar.id})`),
      (error) => onError('deadline reconciler')(error),
    );
  }

  /**
   * Whether deadlines can be scheduled right now: a write to Redis, which is what scheduling needs.
   * A Redis that answers but refuses writes (MISCONF after a failed snapshot, READONLY replica)
   * would otherwise leave the service looking healthy while no deadline is set.
   */
  async health(): Promise<{ up: boolean; details: Record<string, unknown> }> {
    const redis = this.connections[0];
    if (!redis) return { up: true, details: { enabled: false, reason: 'REDIS_URL is not set' } };
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('Redis did not answer within 2 s')), 2000).unref());
    try {
      await Promise.race([redis.set(`civicloop:health:${process.pid}`, this.clock.now().toISOString(), 'PX', 10_000), timeout]);
      return { up: true, details: { enabled: true, redis: 'writable' } };
    } catch (error) {
      return { up: false, details: { enabled: true, redis: 'refuses writes', error: (error as Error).message } };
    }
  }

  /** Before the event store closes: stop taking events, let running jobs finish, release Redis. */
  async onModuleDestroy(): Promise<void> {
    // A reconciler waiting on an unreachable Redis must not hold the shutdown: the next start redoes it.
    await Promise.race([this.ready, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
    await this.scheduler?.stop();
    await this.worker?.close();
    await this.queue?.close();
    await Promise.all(this.connections.map((c) => c.quit().catch(() => c.disconnect())));
    this.connections = [];
  }
}
