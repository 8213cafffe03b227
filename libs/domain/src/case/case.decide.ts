import { CaseCommand, DecisionContext, EscalateCase, ReceiveCase } from './case.commands';
import { CaseEvent } from './case.events';
import { refuse } from './case.errors';
import { decideDeadlineReached, decideDeadlineRescheduled, flattenSlaTerms } from './case.deadlines';
import { CaseState, openWhistles } from './case.state';
import { CaseStatus, nextTier, Tier } from './vocabulary';
import { UNIT_KINDS_BY_TIER } from '../directory/directory';

const OPEN_STATUSES: readonly CaseStatus[] = ['received', 'dispatched', 'accepted', 'resolved'];
const WITHDRAWABLE: readonly CaseStatus[] = ['received', 'dispatched', 'accepted'];

const STATUS_CODES: Record<string, string> = {
  received: 'CASE_NOT_RECEIVED',
  dispatched: 'CASE_NOT_DISPATCHED',
  accepted: 'CASE_NOT_ACCEPTED',
  resolved: 'CASE_NOT_RESOLVED',
};

function requireStatus(state: CaseState, allowed: readonly CaseStatus[], command: string): void {
  if (state.status === 'none') throw refuse.notFound('CASE_NOT_FOUND', `case does not exist`);
  if (allowed.includes(state.status as CaseStatus)) return;
  if (state.status === 'closed') throw refuse.conflict('CASE_CLOSED', `${command}: the case is closed`);
  const code = allowed.length === 1 ? STATUS_CODES[allowed[0]] : 'CASE_STATUS_NOT_ALLOWED';
  throw refuse.conflict(code, `${command} is not allowed while the case is ${state.status} (allowed: ${allowed.join(', ')})`);
}

function requireAssignee(state: CaseState, ctx: DecisionContext, command: string): void {
  if (ctx.actor.unitId !== state.assigneeId) {
    throw refuse.forbidden('NOT_ASSIGNEE', `${command}: only the assigned unit ${state.assigneeId} may do this`);
  }
}

function requireFuture(value: string, field: string, ctx: DecisionContext): void {
  if (Date.parse(value) <= Date.parse(ctx.now)) {
    throw refuse.invalid('DATE_NOT_IN_FUTURE', field, `${field} must be later than now (${ctx.now})`);
  }
}

function requireUnitForTier(assigneeId: string, tier: Tier, ctx: DecisionContext, field: string): void {
  const unit = ctx.directory.unit(assigneeId);
  if (!unit) throw refuse.invalid('UNKNOWN_UNIT', field, `no unit ${assigneeId} in the directory`);
  const allowed = UNIT_KINDS_BY_TIER[tier];
  if (!allowed.includes(unit.kind)) {
    throw refuse.invalid('UNIT_KIND_NOT_ALLOWED_AT_TIER', field,
      `${assigneeId} is a ${unit.kind}; at tier ${tier} a case goes to a ${allowed.join(' or ')}`);
  }
}

function receive(command: ReceiveCase, state: CaseState, ctx: DecisionContext): CaseEvent[] {
  if (state.status !== 'none') throw refuse.conflict('CASE_ALREADY_EXISTS', `case ${state.id} already exists`);
  const d = command.data;
  if (!ctx.directory.category(d.category)) {
    throw refuse.invalid('UNKNOWN_CATEGORY', 'category', `no category ${d.category} in the catalogue`);
  }
  if (ctx.directory.unit(d.location.compoundId)?.kind !== 'compound') {
    throw refuse.invalid('UNKNOWN_COMPOUND', 'location.compoundId', `no compound ${d.location.compoundId} in the directory`);
  }
  const anonymous = d.reporter?.anonymous === true;
  const named = Boolean(d.reporter?.name && d.reporter?.phone);
  if (d.channel !== 'grid_patrol' && !anonymous && !named) {
    throw refuse.invalid('REPORTER_REQUIRED', 'reporter',
      'a reporter with name and phone is required (or anonymous: true) for every channel but grid_patrol');
  }
  return [{
    type: 'CaseReceived',
    data: {
      caseId: d.caseId,
      channel: d.channel,
      category: d.category,
      urgency: d.urgency,
      requestType: d.requestType,
      description: d.description,
      compoundId: d.location.compoundId,
      building: d.location.building ?? null,
      unit: d.location.unit ?? null,
      lat: d.location.lat ?? null,
      long: d.location.long ?? null,
      reporterName: anonymous ? null : d.reporter?.name ?? null,
      reporterPhone: anonymous ? null : d.reporter?.phone ?? null,
      anonymous,
      ...(d.sla ? flattenSlaTerms(d.sla) : {}),
      residentId: ctx.actor.role === 'resident' ? ctx.actor.id : null,
    },
  }];
}

function escalate(command: EscalateCase, state: CaseState, ctx: DecisionContext): CaseEvent[] {
  requireStatus(state, ['dispatched', 'accepted'], 'escalate');
  const fromTier = state.tier as Tier;
  const toTier = nextTier(fromTier);
  if (!toTier) throw refuse.conflict('NO_HIGHER_TIER', `the case is already at ${fromTier} tier`);
  let toAssigneeId = command.data.assigneeId;
  if (toAssigneeId) {
    requireUnitForTier(toAssigneeId, toTier, ctx, 'assigneeId');
  } else {
    // The unit of the next tier that has jurisdiction over the case's compound.
    const parent = ctx.directory.ancestorOfKind(state.location!.compoundId, toTier);
    if (!parent) throw refuse.conflict('NO_PARENT_UNIT', `no ${toTier} unit above compound ${state.location!.compoundId}`);
    toAssigneeId = parent.id;
  }
  return [{
    type: 'CaseEscalated',
    data: { fromTier, toTier, fromAssigneeId: state.assigneeId!, toAssigneeId, reason: command.data.reason },
  }];
}

export function decide(command: CaseCommand, state: CaseState, ctx: DecisionContext): CaseEvent[] {
  switch (command.type) {
    case 'ReceiveCase':
      return receive(command, state, ctx);
    case 'DispatchCase':
      requireStatus(state, ['received'], 'dispatch');
      requireUnitForTier(command.data.assigneeId, command.data.tier, ctx, 'assigneeId');
      return [{ type: 'CaseDispatched', data: { ...command.data } }];
    case 'AcceptCase':
      requireStatus(state, ['dispatched'], 'accept');
      requireAssignee(state, ctx, 'accept');
      return [{ type: 'CaseAccepted', data: { assigneeId: state.assigneeId!, tier: state.tier! } }];
    case 'ReturnCase':
      requireStatus(state, ['dispatched'], 'return');
      requireAssignee(state, ctx, 'return');
      return [{
        type: 'CaseReturned',
        data: { assigneeId: state.assigneeId!, tier: state.tier!, reason: command.data.reason, note: command.data.note ?? null },
      }];
    case 'AddNote':
      requireStatus(state, OPEN_STATUSES, 'note');
      return [{ type: 'CaseNoteAdded', data: { text: command.data.text } }];
    case 'RequestExtension':
      requireStatus(state, ['accepted'], 'extension-request');
      if (state.pendingExtension) throw refuse.conflict('EXTENSION_PENDING', 'an extension request is already waiting for a decision');
      requireFuture(command.data.until, 'until', ctx);
      return [{ type: 'ExtensionRequested', data: { ...command.data } }];
    case 'DecideExtension':
      requireStatus(state, ['accepted'], 'extension-decision');
      if (!state.pendingExtension) throw refuse.conflict('NO_EXTENSION_PENDING', 'no extension request is waiting for a decision');
      return [{
        type: 'ExtensionDecided',
        data: { approved: command.data.approved, until: state.pendingExtension.until, note: command.data.note ?? null },
      }];
    case 'ResolveCase': {
      requireStatus(state, ['accepted'], 'resolve');
      const open = openWhistles(state);
      if (open.length > 0) {
        throw refuse.conflict('WHISTLE_OPEN', `whistle ${open[0].whistleId} is still open: every named department must report and act first`);
      }
      return [{ type: 'CaseResolved', data: { ...command.data } }];
    }
    case 'EscalateCase':
      return escalate(command, state, ctx);
    case 'BlowWhistle': {
      requireStatus(state, ['accepted'], 'whistle');
      if (state.tier !== 'street') throw refuse.conflict('WHISTLE_REQUIRES_STREET_TIER', `only the street may whistle; the case is at ${state.tier} tier`);
      const { departmentIds } = command.data;
      if (new Set(departmentIds).size !== departmentIds.length) {
        throw refuse.invalid('DUPLICATE_DEPARTMENT', 'departmentIds', 'each department may be named once');
      }
      for (const id of departmentIds) {
        if (ctx.directory.unit(id)?.kind !== 'department') {
          throw refuse.invalid('UNKNOWN_DEPARTMENT', 'departmentIds', `${id} is not a department in the directory`);
        }
      }
      return [{ type: 'WhistleBlown', data: { ...command.data, departmentIds: [...departmentIds] } }];
    }
    case 'ReportDepartment': {
      requireStatus(state, OPEN_STATUSES, 'department-report');
      const whistle = openWhistleNaming(state, command.data.whistleId, command.data.departmentId);
      if (whistle.reportedAt[command.data.departmentId]) {
        throw refuse.conflict('DEPARTMENT_ALREADY_REPORTED', `${command.data.departmentId} has already reported`);
      }
      return [{ type: 'DepartmentReported', data: { ...command.data } }];
    }
    case 'RecordDepartmentAction': {
      requireStatus(state, OPEN_STATUSES, 'department-action');
      const { whistleId, departmentId } = command.data;
      const whistle = openWhistleNaming(state, whistleId, departmentId);
      if (!whistle.reportedAt[departmentId]) throw refuse.conflict('DEPARTMENT_NOT_REPORTED', `${departmentId} must report before it acts`);
      if (whistle.actions[departmentId]) throw refuse.conflict('DEPARTMENT_ALREADY_ACTED', `${departmentId} has already acted`);
      const events: CaseEvent[] = [{ type: 'DepartmentActed', data: { ...command.data } }];
      const stillWaiting = whistle.departmentIds.filter((id) => id !== departmentId && !whistle.actions[id]);
      if (stillWaiting.length === 0) events.push({ type: 'WhistleCompleted', data: { whistleId } });
      return events;
    }
    case 'OrderSupervision':
      requireStatus(state, OPEN_STATUSES, 'supervise');
      if (command.data.answerBy) requireFuture(command.data.answerBy, 'answerBy', ctx);
      return [{
        type: 'SupervisionOrdered',
        data: { supervisionId: command.data.supervisionId, reason: command.data.reason, answerBy: command.data.answerBy ?? null },
      }];
    case 'AnswerSupervision': {
      requireStatus(state, OPEN_STATUSES, 'supervision-answer');
      const order = state.supervisions.find((o) => o.supervisionId === command.data.supervisionId);
      if (!order) throw refuse.invalid('UNKNOWN_SUPERVISION', 'supervisionId', `no supervision order ${command.data.supervisionId} on this case`);
      if (order.answer !== null) throw refuse.conflict('SUPERVISION_ALREADY_ANSWERED', 'this supervision order has already been answered');
      return [{ type: 'SupervisionAnswered', data: { ...command.data } }];
    }
    case 'RateCase':
      requireStatus(state, ['resolved'], 'rate');
      if (state.rating) throw refuse.conflict('CASE_ALREADY_RATED', 'this round of handling has already been rated');
      return [{
        type: 'CaseRated',
        data: {
          rating: command.data.rating,
          solved: command.data.solved,
          comment: command.data.comment ?? null,
          source: ctx.actor.role === 'resident' ? 'resident' : 'callback',
        },
      }];
    case 'ReopenCase':
      requireStatus(state, ['resolved'], 'reopen');
      if (state.rating?.rating !== 'unsatisfied' && ctx.actor.role !== 'supervisor') {
        throw refuse.conflict('REOPEN_NOT_ALLOWED', 'a case is reopened after an unsatisfied rating, or by a supervisor');
      }
      return [{ type: 'CaseReopened', data: { reason: command.data.reason, reworkCount: state.reworkCount + 1 } }];
    case 'CloseCase':
      if (state.status === 'resolved') {
        if (!state.rating) throw refuse.conflict('CASE_NOT_RATED', 'a resolved case is closed after it has been rated');
        return [{ type: 'CaseClosed', data: { kind: 'rated', reason: command.data.reason, mergedIntoCaseId: null } }];
      }
      requireStatus(state, WITHDRAWABLE, 'close');
      return [{ type: 'CaseClosed', data: { kind: 'withdrawn', reason: command.data.reason, mergedIntoCaseId: null } }];
    case 'RecordDeadlineReached':
      return decideDeadlineReached(command, state, ctx);
    case 'RecordDeadlineRescheduled':
      return decideDeadlineRescheduled(command, state);
    case 'MergeCase':
      requireStatus(state, WITHDRAWABLE, 'merge');
      if (command.data.intoCaseId === state.id) throw refuse.invalid('MERGE_INTO_SELF', 'intoCaseId', 'a case cannot be merged into itself');
      return [{
        type: 'CaseClosed',
        data: { kind: 'duplicate', reason: `duplicate of ${command.data.intoCaseId}`, mergedIntoCaseId: command.data.intoCaseId },
      }];
    case 'UnmaskPersonalData':
      if (state.status === 'none') throw refuse.notFound('CASE_NOT_FOUND', 'case does not exist');
      return [{ type: 'PersonalDataUnmasked', data: { reason: command.data.reason } }];
    default: {
      const unknown: never = command;
      throw new Error(`unknown case command ${(unknown as { type: string }).type}`);
    }
  }
}

function openWhistleNaming(state: CaseState, whistleId: string, departmentId: string) {
  const whistle = state.whistles.find((w) => w.whistleId === whistleId);
  if (!whistle) throw refuse.invalid('UNKNOWN_WHISTLE', 'whistleId', `no whistle ${whistleId} on this case`);
  if (whistle.completedAt) throw refuse.conflict('WHISTLE_COMPLETED', `whistle ${whistleId} is already complete`);
  if (!whistle.departmentIds.includes(departmentId)) {
    throw refuse.invalid('DEPARTMENT_NOT_SUMMONED', 'departmentId', `${departmentId} is not named by whistle ${whistleId}`);
  }
  return whistle;
}
