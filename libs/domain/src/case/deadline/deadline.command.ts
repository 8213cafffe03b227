import { Tier } from '../vocabulary';
import { DeadlineKind, DeadlineRescheduled } from './deadline.events';

/**
 * Issued by the deadline worker when a timer fires and the case has not moved on. The worker has
 * already checked that this exact deadline (`deadlineId` names the revision that set it) is still
 * pending; the decider checks that the case is still in a state the deadline applies to.
 */
export type RecordDeadlineReached = {
  type: 'RecordDeadlineReached';
  data: {
    deadlineId: string;
    kind: DeadlineKind;
    dueAt: string;
    whistleId?: string;
    departmentId?: string;
    supervisionId?: string;
    /** resolution_overdue only: the tier the SLA policy escalates to, null for none. */
    escalateTo?: Tier | null;
    policyVersion?: string;
  };
};

/** Issued by the deadline worker when an imported calendar year moves a deadline still pending. */
export type RecordDeadlineRescheduled = {
  type: 'RecordDeadlineRescheduled';
  data: DeadlineRescheduled['data'];
};

/**
 * The business time of what a command decides: a deadline's events (and the escalation or closure
 * it causes) happened at its due time, however late the worker records them; everything else now.
 */
export function occurredAtOf(command: { type: string; data: unknown }, now: string): string {
  if (command.type !== 'RecordDeadlineReached') return now;
  const { dueAt } = command.data as RecordDeadlineReached['data'];
  return !Number.isNaN(Date.parse(dueAt)) && Date.parse(dueAt) <= Date.parse(now) ? new Date(dueAt).toISOString() : now;
}
