import {
  BlowWhistle, DecisionContext, RecordDepartmentAction, ReportDepartment, WithdrawWhistle,
} from '../case.commands';
import { CaseEvent } from '../case.events';
import { refuse } from '../case.errors';
import { CaseState, WhistleState } from '../case.state';
import { coversCompound } from '../../directory/jurisdiction';
import { OPEN_STATUSES, requireHeld, requireStatus } from './guards';

/** 吹哨: only at street tier, naming each department once; departments of the case's district. */
export function blowWhistle(command: BlowWhistle, state: CaseState, ctx: DecisionContext): CaseEvent[] {
  const held = requireHeld(state, ['accepted'], 'whistle');
  if (held.tier !== 'street') throw refuse.conflict('WHISTLE_REQUIRES_STREET_TIER', `only the street may whistle; the case is at ${held.tier} tier`);
  const { departmentIds } = command.data;
  if (new Set(departmentIds).size !== departmentIds.length) {
    throw refuse.invalid('DUPLICATE_DEPARTMENT', 'departmentIds', 'each department may be named once');
  }
  for (const id of departmentIds) {
    if (ctx.directory.unit(id)?.kind !== 'department') {
      throw refuse.invalid('UNKNOWN_DEPARTMENT', 'departmentIds', `${id} is not a department in the directory`);
    }
    if (!coversCompound(ctx.directory, id, held.location.compoundId)) {
      throw refuse.invalid('UNIT_OUTSIDE_JURISDICTION', 'departmentIds', `${id} does not work in the case's district`);
    }
  }
  return [{ type: 'WhistleBlown', data: { whistleId: command.data.whistleId, departmentIds: [...departmentIds], reason: command.data.reason } }];
}

/** The whistle, still open, naming the department; the stable refusal otherwise. */
function openWhistleNaming(state: CaseState, whistleId: string, departmentId: string): WhistleState {
  const whistle = state.whistles.find((w) => w.whistleId === whistleId);
  if (!whistle) throw refuse.notFound('UNKNOWN_WHISTLE', `no whistle ${whistleId} on this case`);
  if (whistle.withdrawnAt) throw refuse.conflict('WHISTLE_WITHDRAWN', `whistle ${whistleId} was withdrawn`);
  if (whistle.completedAt) throw refuse.conflict('WHISTLE_COMPLETED', `whistle ${whistleId} is already complete`);
  if (!whistle.departmentIds.includes(departmentId)) {
    throw refuse.invalid('DEPARTMENT_NOT_SUMMONED', 'departmentId', `${departmentId} is not named by whistle ${whistleId}`);
  }
  return whistle;
}

export function reportDepartment(command: ReportDepartment, state: CaseState): CaseEvent[] {
  requireStatus(state, OPEN_STATUSES, 'department-report');
  const { whistleId, departmentId } = command.data;
  const whistle = openWhistleNaming(state, whistleId, departmentId);
  if (whistle.reportedAt[departmentId]) throw refuse.conflict('DEPARTMENT_ALREADY_REPORTED', `${departmentId} has already reported`);
  return [{ type: 'DepartmentReported', data: { whistleId, departmentId } }];
}

export function recordDepartmentAction(command: RecordDepartmentAction, state: CaseState): CaseEvent[] {
  requireStatus(state, OPEN_STATUSES, 'department-action');
  const { whistleId, departmentId, action } = command.data;
  const whistle = openWhistleNaming(state, whistleId, departmentId);
  if (!whistle.reportedAt[departmentId]) throw refuse.conflict('DEPARTMENT_NOT_REPORTED', `${departmentId} must report before it acts`);
  if (whistle.actions[departmentId]) throw refuse.conflict('DEPARTMENT_ALREADY_ACTED', `${departmentId} has already acted`);
  const events: CaseEvent[] = [{ type: 'DepartmentActed', data: { whistleId, departmentId, action } }];
  const stillWaiting = whistle.departmentIds.filter((id) => id !== departmentId && !whistle.actions[id]);
  if (stillWaiting.length === 0) events.push({ type: 'WhistleCompleted', data: { whistleId } });
  return events;
}

/** The street or a higher supervisor calls off a whistle; its missing departments no longer block resolve. */
export function withdrawWhistle(command: WithdrawWhistle, state: CaseState): CaseEvent[] {
  requireStatus(state, OPEN_STATUSES, 'whistle-withdraw');
  const whistle = state.whistles.find((w) => w.whistleId === command.data.whistleId);
  if (!whistle) throw refuse.notFound('UNKNOWN_WHISTLE', `no whistle ${command.data.whistleId} on this case`);
  if (whistle.withdrawnAt) throw refuse.conflict('WHISTLE_WITHDRAWN', `whistle ${whistle.whistleId} was already withdrawn`);
  if (whistle.completedAt) throw refuse.conflict('WHISTLE_COMPLETED', `whistle ${whistle.whistleId} is already complete`);
  const pendingDepartmentIds = whistle.departmentIds.filter((id) => !whistle.actions[id]);
  return [{ type: 'WhistleWithdrawn', data: { whistleId: whistle.whistleId, reason: command.data.reason, pendingDepartmentIds } }];
}
