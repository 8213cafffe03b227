import {
  AcceptCase, DecisionContext, DispatchCase, EscalateCase, RecallDispatch, RemindCase, ReturnCase, ReviewReturn,
} from '../case.commands';
import { CaseEvent } from '../case.events';
import { refuse } from '../case.errors';
import { CaseState } from '../case.state';
import { nextTier } from '../vocabulary';
import { requireHandlerFor, requireHeld, requireStatus } from './guards';

/** 派单 / 重新派单: to a unit that may hold the case at that tier and covers its compound. */
export function dispatch(command: DispatchCase, state: CaseState, ctx: DecisionContext): CaseEvent[] {
  const existing = requireStatus(state, ['received'], 'dispatch');
  if (existing.pendingReturn) {
    throw refuse.conflict('RETURN_REVIEW_PENDING', 'the last return waits for review (退单审核) before the case is dispatched again');
  }
  const { assigneeId, tier } = command.data;
  requireHandlerFor(assigneeId, tier, existing.location.compoundId, ctx, 'assigneeId');
  return [{ type: 'CaseDispatched', data: { assigneeId, tier } }];
}

/** 撤回: the dispatch centre takes back its own dispatch before the unit has signed for it. */
export function recall(command: RecallDispatch, state: CaseState): CaseEvent[] {
  const held = requireHeld(state, ['dispatched'], 'recall');
  if (held.heldBy !== 'dispatch') {
    throw refuse.conflict('RECALL_NOT_ALLOWED', 'only a dispatch can be recalled; an escalation is the unit\'s own step');
  }
  return [{ type: 'DispatchRecalled', data: { assigneeId: held.assigneeId, tier: held.tier, reason: command.data.reason } }];
}

export function accept(_command: AcceptCase, state: CaseState): CaseEvent[] {
  const held = requireHeld(state, ['dispatched'], 'accept');
  return [{ type: 'CaseAccepted', data: { assigneeId: held.assigneeId, tier: held.tier } }];
}

export function returnCase(command: ReturnCase, state: CaseState): CaseEvent[] {
  const held = requireHeld(state, ['dispatched'], 'return');
  return [{
    type: 'CaseReturned',
    data: { assigneeId: held.assigneeId, tier: held.tier, reason: command.data.reason, note: command.data.note ?? null },
  }];
}

/** 退单审核: approved, the case waits for dispatch; rejected, the unit that returned it must handle it. */
export function reviewReturn(command: ReviewReturn, state: CaseState): CaseEvent[] {
  const existing = requireStatus(state, ['received'], 'return-review');
  const pending = existing.pendingReturn;
  if (!pending) throw refuse.conflict('NO_RETURN_PENDING', 'no return is waiting for review');
  return [{
    type: 'CaseReturnReviewed',
    data: { approved: command.data.approved, note: command.data.note ?? null, assigneeId: pending.assigneeId, tier: pending.tier },
  }];
}

/** 上报: to the next-tier ancestor of the case's compound, which must sign for it. */
export function escalate(command: EscalateCase, state: CaseState, ctx: DecisionContext): CaseEvent[] {
  const held = requireHeld(state, ['dispatched', 'accepted'], 'escalate');
  const toTier = nextTier(held.tier);
  if (!toTier) throw refuse.conflict('NO_HIGHER_TIER', `the case is already at ${held.tier} tier`);
  const parent = ctx.directory.ancestorOfKind(held.location.compoundId, toTier);
  const named = command.data.assigneeId;
  if (named !== undefined) {
    if (!ctx.directory.unit(named)) throw refuse.invalid('UNKNOWN_UNIT', 'assigneeId', `no unit ${named} in the directory`);
    if (named !== parent?.id) {
      throw refuse.invalid('UNIT_OUTSIDE_JURISDICTION', 'assigneeId',
        `an escalation goes to the ${toTier} above compound ${held.location.compoundId}${parent ? ` (${parent.id})` : ''}, not ${named}`);
    }
  }
  if (!parent) throw refuse.conflict('NO_PARENT_UNIT', `no ${toTier} unit above compound ${held.location.compoundId}`);
  return [{
    type: 'CaseEscalated',
    data: { fromTier: held.tier, toTier, fromAssigneeId: held.assigneeId, toAssigneeId: parent.id, reason: command.data.reason },
  }];
}

/** 催办: recorded against the unit holding the case now. */
export function remind(command: RemindCase, state: CaseState): CaseEvent[] {
  const held = requireHeld(state, ['dispatched', 'accepted'], 'remind');
  return [{ type: 'CaseReminded', data: { assigneeId: held.assigneeId, tier: held.tier, note: command.data.note } }];
}
