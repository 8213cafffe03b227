import { Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { applyDeadlineFact, DeadlineFacts, foldDeadlineFacts, initialDeadlineFacts, pendingDeadlines } from '@civicloop/deadlines';
import {
  checkCheckpoint, CheckpointEvent, checkpointEventOf, describeCheckpointEvent, EventStore, Position, RecordedEvent, Subscription,
} from '@civicloop/event-store';
import { isCalendarEvent } from '@civicloop/cases';
import { Clock } from '@civicloop/platform';
import { DeadlineCheckpoint } from './deadline-checkpoint';
import { deadlinesScheduledTotal, inSpan, Outage, OutageState, retryDelayMs, SpanKind } from '@civicloop/platform';
import { DeadlineJobData, deadlineJob, scheduleDeadlines, unscheduleDeadlines } from './deadline-queue';
import { SlaRules } from './sla-rules';

const CASE_STREAM = 'case-';
const CHECKPOINT_EVERY_MS = 250;
const caseIdOf = (streamId: string) => streamId.slice(CASE_STREAM.length);

/**
 * Turns events into timers. At start the reconciler recomputes every pending deadline from the
 * whole store and adds what Redis lacks (a wiped Redis loses nothing); then the subscription,
 * from the stored checkpoint, schedules the deadlines each new event sets and removes those it ends.
 * The checkpoint moves only after Redis took the jobs, so an event written while Redis was down
 * is scheduled once it is back. A stored checkpoint whose event this store does not hold at that
 * position is from another store (a migration) and is not trusted (see verifyCheckpoint).
 */
export class DeadlineScheduler {
  private subscription: Subscription | null = null;
  private unsaved: { position: Position; event: CheckpointEvent } | null = null;
  private savedAt = 0;
  private stopped = false;
  private followFailures = 0;
  private wakeUp = () => {};
  private readonly log = new Logger('Deadlines');
  private readonly outage = new Outage(this.log, 'deadline scheduling');
  /** Set by the service: what an imported calendar year does to pending deadlines. */
  onCalendarImported: ((event: RecordedEvent) => Promise<void>) | null = null;

  constructor(
    private readonly store: EventStore,
    private readonly queue: Queue<DeadlineJobData>,
    private readonly rules: SlaRules,
    private readonly checkpoint: DeadlineCheckpoint,
    private readonly clock: Clock,
    private readonly retry = { baseMs: 1000, maxMs: 10_000 },
  ) {}

  /**
   * Reconciles, then follows. A failure of either (Redis refusing writes, say) is retried with
   * backoff from the last event that Redis took, for as long as it takes; it must not end
   * scheduling until the next restart. Settles once the subscription follows (true) or on stop().
   */
  async start(): Promise<boolean> {
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        await this.reconcileAndCheckpoint();
        break;
      } catch (error) {
        const delay = retryDelayMs(attempt, this.retry.baseMs, this.retry.maxMs);
        this.outage.failed(error, delay);
        await this.wait(delay);
      }
    }
    if (this.stopped) return false;
    this.follow();
    return true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeUp();
    await this.subscription?.stop();
    this.subscription = null;
    this.saveCheckpoint();
  }

  /** Null while scheduling runs; otherwise since when and why it has been failing. */
  get failing(): OutageState | null {
    return this.outage.current;
  }

  private async reconcileAndCheckpoint(): Promise<void> {
    await this.verifyCheckpoint();
    const { cases, deadlines, position, last } = await this.reconcile();
    this.log.log(`reconciled ${deadlines} pending deadlines of ${cases} cases up to position ${position ?? 'start'}`);
    if (last) this.checkpoint.write(last.position, checkpointEventOf(last));
  }

  private follow(): void {
    this.subscription = this.store.subscribeToAll({
      after: this.unsaved?.position ?? this.checkpoint.read()?.position ?? null,
      handler: (event) => this.handle(event),
      // Caught up again after a failure: the event that failed has been scheduled.
      onLive: () => {
        this.followFailures = 0;
        this.outage.recovered();
      },
      onError: (error) => {
        this.subscription = null;
        if (this.stopped) return;
        const delay = retryDelayMs(++this.followFailures, this.retry.baseMs, this.retry.maxMs);
        this.outage.failed(error, delay);
        void this.wait(delay).then(() => {
          if (!this.stopped) this.follow();
        });
      },
    });
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
  }

  /**
   * Keeps the stored checkpoint only if this store holds its event at its position. Otherwise it
   * is moved to where its event is now (a migrated history) or dropped (the event is not here, or
   * the checkpoint predates carrying its event): the forward-only write would otherwise keep, say,
   * an EventStoreDB log offset after a switch to SQLite and skip every new event. Dropping costs
   * nothing: the reconciler that runs next covers the whole store and stores its own checkpoint.
   */
  private async verifyCheckpoint(): Promise<void> {
    const stored = this.checkpoint.read();
    if (!stored) return;
    if (!stored.event) {
      this.log.warn(`checkpoint ${stored.position} does not name its event (stored by an older version): dropped; the reconciler covers the whole store`);
      this.checkpoint.clear();
      return;
    }
    const check = await checkCheckpoint(this.store, stored.position, stored.event);
    const event = describeCheckpointEvent(stored.event);
    if (check.verdict === 'same') return;
    if (check.verdict === 'moved') {
      this.log.warn(`checkpoint ${stored.position} is from another store: ${event} is at ${check.position} here (the history was migrated); resuming after it`);
      this.checkpoint.replace(check.position, stored.event);
    } else {
      this.log.warn(`checkpoint ${stored.position} is from another store: ${event} is not in this store; starting from the beginning (after the reconciler)`);
      this.checkpoint.clear();
    }
  }

  /**
   * The checkpoint is saved at most every CHECKPOINT_EVERY_MS (an fsync per event would be the
   * bottleneck); after a crash the few events since are handled again, which adds nothing new.
   */
  private advance(event: RecordedEvent): void {
    this.unsaved = { position: event.position, event: checkpointEventOf(event) };
    if (Date.now() - this.savedAt >= CHECKPOINT_EVERY_MS) this.saveCheckpoint();
  }

  private saveCheckpoint(): void {
    if (this.unsaved === null) return;
    this.checkpoint.write(this.unsaved.position, this.unsaved.event);
    this.unsaved = null;
    this.savedAt = Date.now();
  }

  /** Folds the whole store once; every pending deadline is added (existing job ids are left alone). */
  async reconcile(pageSize = 5000): Promise<{ cases: number; deadlines: number; position: Position | null; last: RecordedEvent | null }> {
    const facts = new Map<string, DeadlineFacts>();
    let after: Position | null = null;
    let last: RecordedEvent | null = null;
    for (;;) {
      const page: RecordedEvent[] = await this.store.readAll({ after, limit: pageSize });
      for (const event of page) {
        if (!event.streamId.startsWith(CASE_STREAM)) continue;
        let caseFacts = facts.get(event.streamId);
        if (!caseFacts) facts.set(event.streamId, (caseFacts = initialDeadlineFacts(event.streamId)));
        applyDeadlineFact(caseFacts, event);
      }
      if (page.length) {
        last = page[page.length - 1];
        after = last.position;
      }
      if (page.length < pageSize) break;
    }
    const now = this.clock.now().getTime();
    const jobs = [...facts.values()].flatMap((f) =>
      pendingDeadlines(f, this.rules.policy, this.rules.calendar).map((d) => deadlineJob(caseIdOf(f.streamId), d, now)));
    await scheduleDeadlines(this.queue, jobs);
    return { cases: facts.size, deadlines: jobs.length, position: after, last };
  }

  async handle(event: RecordedEvent): Promise<void> {
    if (event.streamId.startsWith(CASE_STREAM)) {
      const attributes = { 'civicloop.event': event.type, 'civicloop.correlation_id': event.metadata.correlationId };
      await inSpan('consume deadlines', { kind: SpanKind.CONSUMER, attributes, followsCorrelationId: event.metadata.correlationId }, () => this.schedule(event));
    } else if (isCalendarEvent(event)) {
      await this.onCalendarImported?.(event);
    }
    this.advance(event);
  }

  /** The deadlines a case event sets and ends, added to and removed from the queue. */
  private async schedule(event: RecordedEvent): Promise<void> {
    const history = await this.store.readStream(event.streamId, { toRevision: event.revision });
    const facts = foldDeadlineFacts(history.slice(0, -1));
    const before = pendingDeadlines(facts, this.rules.policy, this.rules.calendar).map((d) => d.deadlineId);
    applyDeadlineFact(facts, history[history.length - 1]);
    const after = pendingDeadlines(facts, this.rules.policy, this.rules.calendar);
    const caseId = caseIdOf(event.streamId);
    const now = this.clock.now().getTime();
    const added = after.filter((d) => !before.includes(d.deadlineId));
    await scheduleDeadlines(this.queue, added.map((d) => deadlineJob(caseId, d, now)));
    deadlinesScheduledTotal.inc(added.length);
    const ended = before.filter((id) => !after.some((d) => d.deadlineId === id));
    if (ended.length) await unscheduleDeadlines(this.queue, caseId, ended);
    this.log.debug({
      msg: 'scheduled', correlationId: event.metadata.correlationId, caseId, revision: event.revision,
      scheduled: added.map((d) => d.deadlineId), ended,
    });
  }
}
