import { Tier } from '../vocabulary';
import { DeadlineKind } from './deadline.events';

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
