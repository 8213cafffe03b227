import { DecisionContext } from '../case.commands';
import { CaseEvent } from '../case.events';
import { refuse } from '../case.errors';
import { CaseState, HeldCase, isHeld } from '../case.state';
import { RecordDeadlineReached, RecordDeadlineRescheduled } from '../deadline/deadline.command';
import { DeadlineKind } from '../deadline/deadline.events';
import { CaseStatus, TIERS } from '../vocabulary';
import { endOpenSupervisions } from './guards';

const notApplicable = (message: string) => refuse.conflict('DEADLINE_NOT_APPLICABLE', message);

function requireHeldIn(state: CaseState, status: 'dispatched' | 'accepted', kind: DeadlineKind): HeldCase {
  if (state.status !== status || !isHeld(state)) throw notApplicable(`${kind} applies while the case is ${status}; it is ${state.status}`);
  return state;
}

function requireCaseStatus(state: CaseState, status: CaseStatus, kind: DeadlineKind): void {
  if (state.status !== status) throw notApplicable(`${kind} applies while the case is ${status}; it is ${state.status}`);
}

function escalation(command: RecordDeadlineReached, held: HeldCase, ctx: DecisionContext): CaseEvent[] {
  const toTier = command.data.escalateTo;
  if (!toTier) return [];
  if (TIERS.indexOf(toTier) <= TIERS.indexOf(held.tier)) {
    throw refuse.invalid('ESCALATION_NOT_UPWARD', 'escalateTo', `the policy escalates ${held.tier} to ${toTier}, which is not higher`);
  }
  const parent = ctx.directory.ancestorOfKind(held.location.compoundId, toTier);
  if (!parent) return [];
  const policy = command.data.policyVersion ? `SLA policy ${command.data.policyVersion}` : 'the SLA policy';
  return [{
    type: 'CaseEscalated',
    data: {
      fromTier: held.tier, toTier, fromAssigneeId: held.assigneeId, toAssigneeId: parent.id,
      reason: `resolution overdue since ${command.data.dueAt}: ${policy} escalates ${held.tier} to ${toTier}`,
    },
  }];
}

/** A timer fired: record it if the case is still in a state the deadline applies to. */
export function deadlineReached(command: RecordDeadlineReached, state: CaseState, ctx: DecisionContext): CaseEvent[] {
  const { deadlineId, kind, dueAt } = command.data;
  if (state.status === 'none') throw refuse.notFound('CASE_NOT_FOUND', 'case does not exist');
  if (state.status === 'closed') throw refuse.conflict('CASE_CLOSED', `${kind}: the case is closed`);
  if (Number.isNaN(Date.parse(dueAt))) throw refuse.invalid('INVALID_DATE', 'dueAt', 'dueAt must be an ISO-8601 instant');
  if (Date.parse(dueAt) > Date.parse(ctx.now)) throw refuse.conflict('DEADLINE_NOT_DUE', `${deadlineId} is due at ${dueAt}, not yet`);
  const handler = (held: HeldCase) => ({ deadlineId, dueAt, assigneeId: held.assigneeId, tier: held.tier });
  switch (kind) {
    case 'dispatch_warning':
      requireCaseStatus(state, 'received', kind);
      return [{ type: 'DispatchWarned', data: { deadlineId, dueAt } }];
    case 'dispatch_overdue':
      requireCaseStatus(state, 'received', kind);
      return [{ type: 'DispatchOverdue', data: { deadlineId, dueAt } }];
    case 'sign_for_warning':
      return [{ type: 'SignForWarned', data: handler(requireHeldIn(state, 'dispatched', kind)) }];
    case 'sign_for_overdue':
      return [{ type: 'SignForOverdue', data: handler(requireHeldIn(state, 'dispatched', kind)) }];
    case 'resolution_warning':
      return [{ type: 'ResolutionWarned', data: handler(requireHeldIn(state, 'accepted', kind)) }];
    case 'resolution_overdue': {
      const held = requireHeldIn(state, 'accepted', kind);
      return [{ type: 'ResolutionOverdue', data: handler(held) }, ...escalation(command, held, ctx)];
    }
    case 'whistle_report_overdue': {
      const { whistleId = '', departmentId = '' } = command.data;
      const whistle = state.whistles.find((w) => w.whistleId === whistleId);
      if (!whistle || whistle.completedAt || whistle.withdrawnAt || !whistle.departmentIds.includes(departmentId)) {
        throw notApplicable(`no open whistle ${whistleId} naming ${departmentId}`);
      }
      if (whistle.reportedAt[departmentId]) throw notApplicable(`${departmentId} has reported`);
      return [{ type: 'WhistleReportOverdue', data: { deadlineId, dueAt, whistleId, departmentId } }];
    }
    case 'supervision_answer_overdue': {
      const supervisionId = command.data.supervisionId ?? '';
      const order = state.supervisions.find((o) => o.supervisionId === supervisionId);
      if (!order || order.answeredAt || order.endedAt) throw notApplicable(`no unanswered supervision order ${supervisionId}`);
      return [{ type: 'SupervisionAnswerOverdue', data: { deadlineId, dueAt, supervisionId } }];
    }
    case 'rating_window_expired':
      requireCaseStatus(state, 'resolved', kind);
      if (state.rating) throw notApplicable('the case is rated: closing it is a handler decision');
      return [
        ...endOpenSupervisions(state, 'the rating window closed the case'),
        { type: 'CaseClosed', data: { kind: 'rating_window_expired', reason: `nobody rated the case before ${dueAt}`, mergedIntoCaseId: null } },
      ];
    default: {
      const unknown: never = kind;
      throw refuse.invalid('UNKNOWN_DEADLINE_KIND', 'kind', `unknown deadline kind ${String(unknown)}`);
    }
  }
}

/** A calendar import moved a pending deadline: recorded for the audit and the views. */
export function deadlineRescheduled(command: RecordDeadlineRescheduled, state: CaseState): CaseEvent[] {
  if (state.status === 'none') throw refuse.notFound('CASE_NOT_FOUND', 'case does not exist');
  if (state.status === 'closed') throw refuse.conflict('CASE_CLOSED', `${command.data.kind}: the case is closed`);
  for (const field of ['previousDueAt', 'dueAt'] as const) {
    if (Number.isNaN(Date.parse(command.data[field]))) throw refuse.invalid('INVALID_DATE', field, `${field} must be an ISO-8601 instant`);
  }
  return [{ type: 'DeadlineRescheduled', data: { ...command.data } }];
}
