import { Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { DelayedError, Job } from 'bullmq';
import { CaseRepository, CommandContext, ExecuteCaseCommand } from '@civicloop/cases';
import { foldDeadlineFacts, PendingDeadline, pendingDeadlines } from '@civicloop/deadlines';
import { Actor, CaseRefused, RecordDeadlineReached } from '@civicloop/domain';
import { RecordedEvent, StoreUnavailable } from '@civicloop/event-store';
import { Clock, deadlineLatenessSeconds, deadlinesFiredTotal, inSpan, SpanKind } from '@civicloop/platform';
import { DeadlineJobData } from './deadline-queue';
import { SlaRules } from './sla-rules';

/** The engine itself: the access table lets the `system` role record deadlines and nothing else. */
export const DEADLINE_ACTOR: Actor = { id: 'system:deadlines', role: 'system', unitId: null };

const ATTEMPTS = 5;
/**
 * How long a deadline waits when the event store cannot write (another process holds its lock, a
 * full disk): it goes back to the delayed set without spending one of the job's attempts, so an
 * outage of any length delays the deadline but never drops it into the failed set.
 */
export const STORE_RETRY_MS = 5_000;

/**
 * Fires one deadline. The job says which deadline; the case's events say whether it still applies.
 * A stale deadline (the case moved on, or the deadline was already recorded by another replica)
 * does nothing. The command is refused unless the case is exactly as checked, so two replicas
 * firing the same deadline record it once.
 */
export class DeadlineProcessor {
  private readonly log = new Logger('Deadlines');

  constructor(
    private readonly cases: CaseRepository,
    private readonly commandBus: CommandBus,
    private readonly rules: SlaRules,
    private readonly clock: Clock,
  ) {}

  process(job: Job<DeadlineJobData>, token?: string): Promise<string> {
    return inSpan('deadline job', { kind: SpanKind.CONSUMER, attributes: { 'civicloop.deadline_id': job.data.deadlineId } }, () => this.fire(job, token));
  }

  private async fire(job: Job<DeadlineJobData>, token?: string): Promise<string> {
    const { caseId, deadlineId } = job.data;
    const refusedEarlier = new Set<string>();
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const history = await this.cases.history(caseId);
      const facts = foldDeadlineFacts(history);
      const pending = pendingDeadlines(facts, this.rules.policy, this.rules.calendar);
      const deadline = pending.find((d) => d.deadlineId === deadlineId);
      if (!deadline) {
        deadlinesFiredTotal.inc({ outcome: 'stale' });
        return 'stale';
      }
      const early = Date.parse(deadline.dueAt) - this.clock.now().getTime();
      if (early > 0) {
        await job.moveToDelayed(Date.now() + early, token);
        throw new DelayedError();
      }
      // After an outage several deadlines of a case are due at once: they are recorded in due
      // order (a warning before its overdue, an overdue before the escalation's new limits), as a
      // worker that never stopped would have, whichever job runs first.
      const first = pending.find((d) => d.dueAt <= deadline.dueAt && !refusedEarlier.has(d.deadlineId)) ?? deadline;
      let outcome: string;
      try {
        outcome = await this.record(caseId, first, history, facts.revision);
      } catch (error) {
        if (!(error instanceof StoreUnavailable)) throw error;
        this.log.warn({ msg: 'deadline waits for the event store', caseId, deadlineId, reason: error.reason });
        await job.moveToDelayed(Date.now() + STORE_RETRY_MS, token);
        throw new DelayedError();
      }
      if (outcome === 'moved-on') continue;
      if (first === deadline) return outcome;
      if (outcome === 'recorded') attempt = 0; // the case moved on by our own hand: check this one again
      else refusedEarlier.add(first.deadlineId);
    }
    throw new Error(`case ${caseId} kept changing while ${deadlineId} fired; retrying later`);
  }

  private async record(caseId: string, deadline: PendingDeadline, history: RecordedEvent[], revision: number): Promise<string> {
    const cause = history.find((e) => e.revision === deadline.setAtRevision) ?? history[history.length - 1];
    const command: RecordDeadlineReached = {
      type: 'RecordDeadlineReached',
      data: {
        deadlineId: deadline.deadlineId, kind: deadline.kind, dueAt: deadline.dueAt, policyVersion: deadline.policyVersion,
        ...(deadline.whistleId !== undefined && { whistleId: deadline.whistleId, departmentId: deadline.departmentId }),
        ...(deadline.supervisionId !== undefined && { supervisionId: deadline.supervisionId }),
        ...(deadline.escalateTo !== undefined && { escalateTo: deadline.escalateTo }),
      },
    };
    const context: CommandContext = {
      actor: DEADLINE_ACTOR,
      commandId: `deadline/${caseId}/${deadline.deadlineId}`,
      correlationId: cause.metadata.correlationId,
      causationId: cause.metadata.eventId,
    };
    const fired = (outcome: string) => {
      const latenessMs = this.clock.now().getTime() - Date.parse(deadline.dueAt);
      this.log.log({ msg: 'deadline fired', correlationId: context.correlationId, caseId, deadlineId: deadline.deadlineId, outcome, latenessMs });
      deadlinesFiredTotal.inc({ outcome: outcome === 'recorded' ? 'recorded' : 'refused' });
      if (outcome === 'recorded') deadlineLatenessSeconds.observe(Math.max(0, latenessMs) / 1000);
      return outcome;
    };
    try {
      // Only on the case exactly as checked: if it moved on, check the deadline again on the new state.
      await this.commandBus.execute(new ExecuteCaseCommand(caseId, command, context, { atRevision: revision }));
      return fired('recorded');
    } catch (error) {
      if (error instanceof CaseRefused && error.code === 'CASE_MOVED') return 'moved-on';
      if (error instanceof CaseRefused) return fired(`refused: ${error.code}`);
      throw error;
    }
  }
}
