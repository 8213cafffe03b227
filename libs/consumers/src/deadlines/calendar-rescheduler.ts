import { Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Queue } from 'bullmq';
import { CalendarRegistry, CaseRepository, calendarYearOf, ExecuteCaseCommand } from '@civicloop/cases';
import { applyDeadlineFact, BusinessCalendar, DeadlineFacts, foldDeadlineFacts, initialDeadlineFacts, pendingDeadlines } from '@civicloop/deadlines';
import { CaseRefused, RecordDeadlineRescheduled } from '@civicloop/domain';
import { EventStore, Position, RecordedEvent } from '@civicloop/event-store';
import { Clock } from '@civicloop/platform';
import { DEADLINE_ACTOR } from './deadline-processor';
import { DeadlineJobData, deadlineJob, scheduleDeadlines, unscheduleDeadlines } from './deadline-queue';
import { SlaRules } from './sla-rules';

const CASE_STREAM = 'case-';

/**
 * An imported calendar year moves deadlines: every deadline pending when the year was imported
 * whose due time differs between the calendar before and after it gets a DeadlineRescheduled
 * naming the year's version (once: the case's facts remember it), and its timer is replaced.
 * The SLA terms stay those recorded at intake; only the days they are counted on change.
 */
export class CalendarRescheduler {
  private readonly log = new Logger('Deadlines');

  constructor(
    private readonly store: EventStore,
    private readonly queue: Queue<DeadlineJobData>,
    private readonly registry: CalendarRegistry,
    private readonly cases: CaseRepository,
    private readonly commandBus: CommandBus,
    private readonly rules: SlaRules,
    private readonly clock: Clock,
  ) {}

  async imported(event: RecordedEvent): Promise<void> {
    const version = calendarYearOf(event).version;
    const before = (await this.registry.calendarAt(event.position, false)).calendar;
    const after = (await this.registry.calendarAt(event.position, true)).calendar;
    await this.registry.refresh();
    let moved = 0;
    for (const facts of await this.casesUpTo(event.position)) {
      const old = new Map(pendingDeadlines(facts, this.rules.policy, before).map((d) => [d.deadlineId, d.dueAt]));
      for (const d of pendingDeadlines(facts, this.rules.policy, after)) {
        const previousDueAt = old.get(d.deadlineId);
        if (previousDueAt === undefined || previousDueAt === d.dueAt) continue;
        if (await this.record(facts.caseId, d.deadlineId, previousDueAt, version, after)) moved++;
      }
    }
    this.log.log(`calendar ${version} imported: ${moved} pending deadlines rescheduled`);
  }

  /** Case facts as they stood at the import: deadlines set later were computed on the new calendar already. */
  private async casesUpTo(position: Position): Promise<DeadlineFacts[]> {
    const facts = new Map<string, DeadlineFacts>();
    let after: Position | null = null;
    for (;;) {
      const page = await this.store.readAll({ after, limit: 5000 });
      for (const event of page) {
        if (event.position > position) return [...facts.values()];
        if (!event.streamId.startsWith(CASE_STREAM)) continue;
        let caseFacts = facts.get(event.streamId);
        if (!caseFacts) facts.set(event.streamId, (caseFacts = initialDeadlineFacts(event.streamId)));
        applyDeadlineFact(caseFacts, event);
      }
      if (page.length < 5000) return [...facts.values()];
      after = page[page.length - 1].position;
    }
  }

  /** Records the move if the deadline is still pending now, then replaces its timer. */
  private async record(caseId: string, deadlineId: string, previousDueAt: string, version: string, calendar: BusinessCalendar): Promise<boolean> {
    const history = await this.cases.history(caseId);
    const facts = foldDeadlineFacts(history);
    const deadline = pendingDeadlines(facts, this.rules.policy, calendar).find((d) => d.deadlineId === deadlineId);
    if (!deadline || facts.rescheduled.has(`${deadlineId}@${version}`)) return false;
    const command: RecordDeadlineRescheduled = {
      type: 'RecordDeadlineRescheduled',
      data: { deadlineId, kind: deadline.kind, previousDueAt, dueAt: deadline.dueAt, calendarVersion: version, provisional: deadline.provisional === true },
    };
    const cause = history[deadline.setAtRevision] ?? history[history.length - 1];
    try {
      await this.commandBus.execute(new ExecuteCaseCommand(caseId, command, {
        actor: DEADLINE_ACTOR, commandId: `calendar/${version}/${caseId}/${deadlineId}`,
        correlationId: cause.metadata.correlationId, causationId: cause.metadata.eventId,
      }));
    } catch (error) {
      if (error instanceof CaseRefused) return false;
      throw error;
    }
    await unscheduleDeadlines(this.queue, caseId, [deadlineId]);
    await scheduleDeadlines(this.queue, [deadlineJob(caseId, deadline, this.clock.now().getTime())]);
    return true;
  }
}
