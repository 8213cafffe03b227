import type { DecisionContext } from './case.commands';
import type { CaseEvent } from './case.events';
import { refuse } from './case.errors';
import type { CaseState } from './case.state';
import { Tier, TIERS } from './vocabulary';

/** Every timer the SLA policy sets on a case. Warnings are reminders (催办); overdue marks lateness. */
export const DEADLINE_KINDS = [
  'dispatch_warning', 'dispatch_overdue', 'sign_for_warning', 'sign_for_overdue', 'resolution_warning', 'resolution_overdue',
  'whistle_report_overdue', 'supervision_answer_overdue', 'rating_window_expired',
] as const;
export type DeadlineKind = (typeof DEADLINE_KINDS)[number];

/**
 * The SLA terms in force for one case, fixed at intake so that a later policy never rewrites the
 * deadlines of cases already running. Limits are ISO-8601 durations counted on `calendar` (a
 * business calendar id, or `wallclock`); `escalateOnResolveOverdue` holds "fromTier>toTier" pairs
 * ("street>" when the policy names no higher tier).
 */
export type SlaTerms = {
  policyVersion: string;
  calendar: string;
  signFor: string;
  resolve: string;
  whistleReport: string;
  supervisionAnswer: string;
  ratingWindow: string;
  warnAt: number;
  escalateOnResolveOverdue: string[];
  /** Intake (or a return, or a reopen) to dispatch; absent on policies and cases from before it existed. */
  dispatch?: string;
};

/**
 * The terms as recorded on CaseReceived: flat, because event data hold primitives and arrays only.
 * Absent on cases taken in before SLA terms were recorded.
 */
export type SlaTermsAtIntake = {
  slaPolicyVersion?: string;
  slaCalendar?: string;
  slaSignFor?: string;
  slaResolve?: string;
  slaWhistleReport?: string;
  slaSupervisionAnswer?: string;
  slaRatingWindow?: string;
  slaWarnAt?: number;
  slaEscalateOnResolveOverdue?: string[];
  slaDispatch?: string;
};

export const flattenSlaTerms = (t: SlaTerms): SlaTermsAtIntake => ({
  slaPolicyVersion: t.policyVersion, slaCalendar: t.calendar, slaSignFor: t.signFor, slaResolve: t.resolve,
  slaWhistleReport: t.whistleReport, slaSupervisionAnswer: t.supervisionAnswer, slaRatingWindow: t.ratingWindow,
  slaWarnAt: t.warnAt, slaEscalateOnResolveOverdue: [...t.escalateOnResolveOverdue],
  ...(t.dispatch !== undefined && { slaDispatch: t.dispatch }),
});

export function slaTermsAtIntake(d: SlaTermsAtIntake): SlaTerms | null {
  if (d.slaPolicyVersion === undefined) return null;
  return {
    policyVersion: d.slaPolicyVersion, calendar: d.slaCalendar!, signFor: d.slaSignFor!, resolve: d.slaResolve!,
    whistleReport: d.slaWhistleReport!, supervisionAnswer: d.slaSupervisionAnswer!, ratingWindow: d.slaRatingWindow!,
    warnAt: d.slaWarnAt!, escalateOnResolveOverdue: [...(d.slaEscalateOnResolveOverdue ?? [])],
    ...(d.slaDispatch !== undefined && { dispatch: d.slaDispatch }),
  };
}

type Event<Type extends string, Data extends Record<string, unknown>> = { type: Type; data: Data };
type HandlerDeadline = { deadlineId: string; dueAt: string; assigneeId: string; tier: Tier };
/** The dispatch centre's own limit: a case waiting for dispatch has no assignee. */
type QueueDeadline = { deadlineId: string; dueAt: string };

export type DispatchWarned = Event<'DispatchWarned', QueueDeadline>;
export type DispatchOverdue = Event<'DispatchOverdue', QueueDeadline>;

export type SignForWarned = Event<'SignForWarned', HandlerDeadline>;
export type SignForOverdue = Event<'SignForOverdue', HandlerDeadline>;
export type ResolutionWarned = Event<'ResolutionWarned', HandlerDeadline>;
export type ResolutionOverdue = Event<'ResolutionOverdue', HandlerDeadline>;
export type WhistleReportOverdue = Event<'WhistleReportOverdue', {
  deadlineId: string; dueAt: string; whistleId: string; departmentId: string;
}>;
export type SupervisionAnswerOverdue = Event<'SupervisionAnswerOverdue', { deadlineId: string; dueAt: string; supervisionId: string }>;

/**
 * A calendar import moved a pending deadline (the SLA terms stay those of intake; the calendar is a
 * fact about the world and its corrections apply). `calendarVersion` names the year's content.
 */
export type DeadlineRescheduled = Event<'DeadlineRescheduled', {
  deadlineId: string; kind: DeadlineKind; previousDueAt: string; dueAt: string; calendarVersion: string; provisional: boolean;
}>;

export type DeadlineEvent =
  | SignForWarned | SignForOverdue | ResolutionWarned | ResolutionOverdue
  | WhistleReportOverdue | SupervisionAnswerOverdue | DeadlineRescheduled | DispatchWarned | DispatchOverdue;

export const DEADLINE_EVENT_TYPES: readonly DeadlineEvent['type'][] = [
  'SignForWarned', 'SignForOverdue', 'ResolutionWarned', 'ResolutionOverdue',
  'WhistleReportOverdue', 'SupervisionAnswerOverdue', 'DeadlineRescheduled', 'DispatchWarned', 'DispatchOverdue',
];

/** Issued by the deadline worker when an imported calendar year moves a deadline still pending. */
export type RecordDeadlineRescheduled = {
  type: 'RecordDeadlineRescheduled';
  data: DeadlineRescheduled['data'];
};

export function decideDeadlineRescheduled(command: RecordDeadlineRescheduled, state: CaseState): CaseEvent[] {
  if (state.status === 'none') throw refuse.notFound('CASE_NOT_FOUND', 'case does not exist');
  if (state.status === 'closed') throw refuse.conflict('CASE_CLOSED', `${command.data.kind}: the case is closed`);
  for (const field of ['previousDueAt', 'dueAt'] as const) {
    if (Number.isNaN(Date.parse(command.data[field]))) throw refuse.invalid('INVALID_DATE', field, `${field} must be an ISO-8601 instant`);
  }
  return [{ type: 'DeadlineRescheduled', data: { ...command.data } }];
}

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

/**
 * The business time of what a command decides: a deadline's events (and the escalation or closure
 * it causes) happened at its due time, however late the worker records them; everything else now.
 */
export function occurredAtOf(command: { type: string; data: unknown }, now: string): string {
  if (command.type !== 'RecordDeadlineReached') return now;
  const { dueAt } = command.data as RecordDeadlineReached['data'];
  return !Number.isNaN(Date.parse(dueAt)) && Date.parse(dueAt) <= Date.parse(now) ? new Date(dueAt).toISOString() : now;
}

const notApplicable = (message: string) => refuse.conflict('DEADLINE_NOT_APPLICABLE', message);

function requireCaseStatus(state: CaseState, status: CaseState['status'], kind: DeadlineKind): void {
  if (state.status !== status) throw notApplicable(`${kind} applies while the case is ${status}; it is ${state.status}`);
}

function escalation(command: RecordDeadlineReached, state: CaseState, ctx: DecisionContext): CaseEvent[] {
  const toTier = command.data.escalateTo;
  const fromTier = state.tier as Tier;
  if (!toTier) return [];
  if (TIERS.indexOf(toTier) <= TIERS.indexOf(fromTier)) {
    throw refuse.invalid('ESCALATION_NOT_UPWARD', 'escalateTo', `the policy escalates ${fromTier} to ${toTier}, which is not higher`);
  }
  const parent = ctx.directory.ancestorOfKind(state.location!.compoundId, toTier);
  if (!parent) return [];
  const policy = command.data.policyVersion ? `SLA policy ${command.data.policyVersion}` : 'the SLA policy';
  return [{
    type: 'CaseEscalated',
    data: {
      fromTier, toTier, fromAssigneeId: state.assigneeId!, toAssigneeId: parent.id,
      reason: `resolution overdue since ${command.data.dueAt}: ${policy} escalates ${fromTier} to ${toTier}`,
    },
  }];
}

export function decideDeadlineReached(command: RecordDeadlineReached, state: CaseState, ctx: DecisionContext): CaseEvent[] {
  const { deadlineId, kind, dueAt } = command.data;
  if (state.status === 'none') throw refuse.notFound('CASE_NOT_FOUND', 'case does not exist');
  if (state.status === 'closed') throw refuse.conflict('CASE_CLOSED', `${kind}: the case is closed`);
  if (Number.isNaN(Date.parse(dueAt))) throw refuse.invalid('INVALID_DATE', 'dueAt', 'dueAt must be an ISO-8601 instant');
  if (Date.parse(dueAt) > Date.parse(ctx.now)) throw refuse.conflict('DEADLINE_NOT_DUE', `${deadlineId} is due at ${dueAt}, not yet`);
  const handler = { deadlineId, dueAt, assigneeId: state.assigneeId!, tier: state.tier! };
  switch (kind) {
    case 'dispatch_warning':
      requireCaseStatus(state, 'received', kind);
      return [{ type: 'DispatchWarned', data: { deadlineId, dueAt } }];
    case 'dispatch_overdue':
      requireCaseStatus(state, 'received', kind);
      return [{ type: 'DispatchOverdue', data: { deadlineId, dueAt } }];
    case 'sign_for_warning':
      requireCaseStatus(state, 'dispatched', kind);
      return [{ type: 'SignForWarned', data: handler }];
    case 'sign_for_overdue':
      requireCaseStatus(state, 'dispatched', kind);
      return [{ type: 'SignForOverdue', data: handler }];
    case 'resolution_warning':
      requireCaseStatus(state, 'accepted', kind);
      return [{ type: 'ResolutionWarned', data: handler }];
    case 'resolution_overdue':
      requireCaseStatus(state, 'accepted', kind);
      return [{ type: 'ResolutionOverdue', data: handler }, ...escalation(command, state, ctx)];
    case 'whistle_report_overdue': {
      const { whistleId = '', departmentId = '' } = command.data;
      const whistle = state.whistles.find((w) => w.whistleId === whistleId);
      if (!whistle || whistle.completedAt || !whistle.departmentIds.includes(departmentId)) {
        throw notApplicable(`no open whistle ${whistleId} naming ${departmentId}`);
      }
      if (whistle.reportedAt[departmentId]) throw notApplicable(`${departmentId} has reported`);
      return [{ type: 'WhistleReportOverdue', data: { deadlineId, dueAt, whistleId, departmentId } }];
    }
    case 'supervision_answer_overdue': {
      const supervisionId = command.data.supervisionId ?? '';
      const order = state.supervisions.find((o) => o.supervisionId === supervisionId);
      if (!order || order.answeredAt) throw notApplicable(`no unanswered supervision order ${supervisionId}`);
      return [{ type: 'SupervisionAnswerOverdue', data: { deadlineId, dueAt, supervisionId } }];
    }
    case 'rating_window_expired':
      requireCaseStatus(state, 'resolved', kind);
      if (state.rating) throw notApplicable('the case is rated: closing it is a handler decision');
      return [{
        type: 'CaseClosed',
        data: { kind: 'rating_window_expired', reason: `nobody rated the case before ${dueAt}`, mergedIntoCaseId: null },
      }];
    default: {
      const unknown: never = kind;
      throw refuse.invalid('UNKNOWN_DEADLINE_KIND', 'kind', `unknown deadline kind ${String(unknown)}`);
    }
  }
}
