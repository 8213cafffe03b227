import { Logger } from '@nestjs/common';
import { setImmediate as turnOfTheEventLoop } from 'node:timers/promises';
import {
  checkCheckpoint, checkpointEventOf, describeCheckpointEvent, EventStore, RecordedEvent, Subscription,
} from '@civicloop/event-store';
import { inSpan, SpanKind } from '@civicloop/platform';
import { ReadDatabase } from '../database';
import { Projection, ProjectionEnv, toEnvelope } from '../projection';
import { applyEnvelopes } from './apply-batch';
import { forgetOldPages } from './forget-old-pages';
import { CheckpointStore, ProjectionState } from './checkpoint-store';
import { DocCache } from './doc-cache';
import { rebuildProjection } from './rebuild';
import { RebuildBusyError } from './rebuild-claim';

export interface RunnerOptions {
  /** Identifies this replica in the lease; must differ between processes. */
  owner: string;
  batchSize?: number;
  /** A runner that stops renewing for this long is presumed dead and another replica takes over. */
  leaseMs?: number;
  /** How long an incomplete batch waits for more events before it is committed. */
  idleFlushMs?: number;
  retryMs?: number;
}

class Stop extends Error {}

/**
 * Keeps one projection up to date: holds the projection's lease, follows the event store's
 * subscription from the stored checkpoint and commits each batch's rows together with the new
 * checkpoint (compare-and-set), so every event takes effect exactly once. Any failure (lost lease,
 * swapped generation, database error) drops the uncommitted batch and restarts from the checkpoint.
 */
export class ProjectionRunner {
  private readonly checkpoints: CheckpointStore;
  private readonly logger: Logger;
  private readonly options: Required<RunnerOptions>;
  private stopped = false;
  private running: Promise<void> | null = null;
  private endFollow: ((error?: unknown) => Promise<void>) | null = null;
  private holding = false;
  private committed: number | null = null;
  /** The holder of the rebuild claim this runner last found in its way, while it waits for it. */
  private waitingFor: string | null = null;

  constructor(
    private readonly rdb: ReadDatabase,
    private readonly store: EventStore,
    readonly projection: Projection,
    private readonly env: ProjectionEnv,
    options: RunnerOptions,
  ) {
    this.checkpoints = new CheckpointStore(rdb);
    this.logger = new Logger(`Projection:${projection.name}`);
    this.options = { batchSize: 500, leaseMs: 15_000, idleFlushMs: 15, retryMs: 1_000, ...options };
  }

  /** True while this replica holds the lease and follows the log. */
  get active(): boolean {
    return this.holding;
  }

  start(): void {
    this.stopped = false;
    this.running ??= this.loop().finally(() => (this.running = null));
  }

  /** Commits what is buffered, stores the checkpoint and hands the lease back. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.endFollow?.(new Stop());
    await this.running;
  }

  /** Simulates a dying replica: stops without committing or releasing the lease (tests). */
  async crash(): Promise<void> {
    this.stopped = true;
    await this.endFollow?.(new Stop('crash'));
    await this.running;
  }

  private async loop(): Promise<void> {
    const { owner, leaseMs, retryMs } = this.options;
    const name = this.projection.name;
    let ensured = false;
    while (!this.stopped) {
      let crashed = false;
      try {
        if (!ensured) ensured = Boolean(await this.checkpoints.ensureProjection(this.projection));
        if (await this.checkpoints.tryAcquire(name, owner, leaseMs)) {
          this.holding = true;
          const state = (await this.checkpoints.read(name))!;
          if (state.version !== this.projection.version) {
            if (this.waitingFor === null) this.logger.log(`version ${state.version} → ${this.projection.version}: rebuilding`);
            await this.rebuildHoldingLease();
            continue;
          }
          if (!(await this.checkpointBelongsHere(state))) {
            await this.rebuildHoldingLease();
            continue;
          }
          crashed = await this.follow(state);
        }
      } catch (error) {
        // Another rebuild of this projection runs (the CLI's, say): said once, then waited for quietly.
        const busy = error instanceof RebuildBusyError ? error.holder : null;
        if (!this.stopped && (busy === null || busy !== this.waitingFor)) this.logger.warn(`restarting from the checkpoint: ${(error as Error).message}`);
        this.waitingFor = busy;
      } finally {
        this.holding = false;
      }
      if (crashed) return;
      if (this.stopped) break;
      await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
    await this.checkpoints.release(name, owner).catch(() => undefined);
  }

  /**
   * Checked on every acquisition of the lease (start and takeover): a checkpoint is trusted only if
   * this store holds its event at its position. When the event sits elsewhere (the history was
   * migrated) the projection is still rebuilt rather than resumed after it: rows carry event
   * positions (board.position, stats/chain seq, which orders a case's chain), and a mix of two
   * stores' positions would misorder them and differ from a rebuild.
   */
  private async checkpointBelongsHere(state: ProjectionState): Promise<boolean> {
    if (state.position === null) return true;
    if (state.positionEvent === null) {
      // Written before checkpoints carried their event: only a position past the head is provably foreign.
      const head = await this.store.headPosition();
      if (head !== null && state.position <= Number(head)) return true;
      this.logger.warn(`checkpoint ${state.position} lies beyond this store's head (${head ?? 'empty'}): it is from another store; rebuilding from the beginning`);
      return false;
    }
    const check = await checkCheckpoint(this.store, state.position, state.positionEvent);
    if (check.verdict === 'same') return true;
    const event = describeCheckpointEvent(state.positionEvent);
    this.logger.warn(check.verdict === 'moved'
      ? `checkpoint ${state.position} is from another store: ${event} is at ${check.position} here (the history was migrated); its views hold the old store's positions, so it is rebuilt from this store`
      : `checkpoint ${state.position} is from another store: ${event} is not in this store; rebuilding from the beginning`);
    return false;
  }

  /**
   * Rebuilds while renewing this replica's lease: a rebuild outlasts the lease, and another replica
   * that took the projection over meanwhile would start a rebuild of its own (refused while this
   * one's claim holds, retried every second until it ends).
   */
  private async rebuildHoldingLease(): Promise<void> {
    const { owner, leaseMs } = this.options;
    const heartbeat = setInterval(() => {
      this.checkpoints.renew(this.projection.name, owner, leaseMs).catch(() => undefined);
    }, Math.max(50, Math.floor(leaseMs / 3)));
    try {
      await rebuildProjection(this.rdb, this.store, this.projection, this.env);
      this.waitingFor = null;
    } finally {
      clearInterval(heartbeat);
    }
  }

  /** Follows the log until stopped or failed; resolves true when the stop was a simulated crash. */
  private follow(state: ProjectionState): Promise<boolean> {
    const { owner, leaseMs, batchSize, idleFlushMs } = this.options;
    const name = this.projection.name;
    let position = state.position;
    let buffer: RecordedEvent[] = [];
    let queue: Promise<void> = Promise.resolve();
    let failure: unknown = null;
    let idle: NodeJS.Timeout | null = null;
    let subscription: Subscription | null = null;
    // Only this follow writes the tables while it holds the lease; a failed commit ends it, cache and all.
    const cache = new DocCache();
    this.committed = position;

    const flush = async () => {
      if (failure || buffer.length === 0) return;
      const batch = buffer;
      buffer = [];
      const last = Number(batch[batch.length - 1].position);
      const lastEvent = checkpointEventOf(batch[batch.length - 1]);
      const correlationIds = [...new Set(batch.map((e) => e.metadata.correlationId))];
      // The batch continues the trace of its first event's command and links the others' (a no-op while tracing is off).
      const span = {
        kind: SpanKind.CONSUMER, followsCorrelationId: correlationIds[0], alsoLinksCorrelationIds: correlationIds.slice(1),
        attributes: { 'civicloop.projection': name, 'civicloop.events': batch.length, 'civicloop.correlation_id': correlationIds[0] },
      };
      await inSpan(`project ${name}`, span, () => this.rdb.db.transaction().execute(async (trx) => {
        if (!(await this.checkpoints.advance(trx, name, owner, state.generation, position, last, lastEvent, leaseMs))) {
          throw new Error('the checkpoint moved (lease lost or tables swapped by a rebuild)');
        }
        const envelopes = batch.map(toEnvelope).filter((e) => e !== null);
        await applyEnvelopes({ db: trx, dialect: this.rdb.dialect, sqlite: this.rdb.sqlite }, this.projection, state.generation, envelopes, this.env, cache);
      }));
      position = last;
      this.committed = last;
      if (batch.some((e) => e.type === 'PersonalDataErased')) await forgetOldPages(this.rdb);
      // On SQLite every step above completes synchronously: without a turn of the event loop a
      // catch-up of millions of events would keep the service from accepting a single connection.
      await turnOfTheEventLoop();
      this.logger.debug({
        msg: 'applied', events: batch.length, position: last,
        correlationIds,
      });
    };
    const enqueue = () => (queue = queue.then(flush)).catch((error) => {
      failure ??= error;
      throw error;
    });

    return new Promise<boolean>((resolve) => {
      let ended = false;
      const heartbeat = setInterval(() => {
        this.checkpoints.renew(name, owner, leaseMs)
          .then((held) => (held ? undefined : end(new Error('lease lost'))))
          .catch((error) => end(error));
      }, Math.max(50, Math.floor(leaseMs / 3)));
      const end = async (reason?: unknown) => {
        if (ended) return;
        ended = true;
        clearInterval(heartbeat);
        if (idle) clearTimeout(idle);
        await subscription?.stop();
        const crash = reason instanceof Stop && reason.message === 'crash';
        if (reason instanceof Stop && !crash) await enqueue().catch(() => undefined);
        else if (!(reason instanceof Stop)) this.logger.warn(`stopped following: ${(reason as Error)?.message ?? reason}`);
        this.endFollow = null;
        resolve(crash);
      };
      this.endFollow = end;
      subscription = this.store.subscribeToAll({
        after: position,
        handler: async (event) => {
          if (failure) throw failure;
          buffer.push(event);
          if (buffer.length >= batchSize) return enqueue();
          if (!idle) idle = setTimeout(() => {
            idle = null;
            enqueue().catch((error) => void end(error));
          }, idleFlushMs);
        },
        onError: (error) => void end(error),
      });
    });
  }
}
