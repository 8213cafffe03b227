import { DecisionContext, ReceiveCase, TransferCase } from '../case.commands';
import { CaseEvent } from '../case.events';
import { refuse } from '../case.errors';
import { CaseState, openWhistles } from '../case.state';
import { flattenSlaTerms } from '../deadline/sla-terms';
import { requireStatus, WITHDRAWABLE } from './guards';

function requireCompound(compoundId: string, field: string, ctx: DecisionContext): void {
  if (ctx.directory.unit(compoundId)?.kind !== 'compound') {
    throw refuse.invalid('UNKNOWN_COMPOUND', field, `no compound ${compoundId} in the directory`);
  }
}

export function receive(command: ReceiveCase, state: CaseState, ctx: DecisionContext): CaseEvent[] {
  if (state.status !== 'none') throw refuse.conflict('CASE_ALREADY_EXISTS', `case ${state.id} already exists`);
  const d = command.data;
  if (!ctx.directory.category(d.category)) {
    throw refuse.invalid('UNKNOWN_CATEGORY', 'category', `no category ${d.category} in the catalogue`);
  }
  requireCompound(d.location.compoundId, 'location.compoundId', ctx);
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

/**
 * 转办: the case was filed under the wrong compound. The location is corrected as its own event and
 * the case waits for dispatch in the new jurisdiction, whose tree escalation then follows.
 */
export function transfer(command: TransferCase, state: CaseState, ctx: DecisionContext): CaseEvent[] {
  const existing = requireStatus(state, WITHDRAWABLE, 'transfer');
  const { compoundId, reason } = command.data;
  requireCompound(compoundId, 'compoundId', ctx);
  if (compoundId === existing.location.compoundId) {
    throw refuse.invalid('TRANSFER_TO_SAME_COMPOUND', 'compoundId', `the case is already located in ${compoundId}`);
  }
  if (existing.pendingReturn) throw refuse.conflict('RETURN_REVIEW_PENDING', 'review the return before transferring the case');
  const open = openWhistles(existing);
  if (open.length > 0) throw refuse.conflict('WHISTLE_OPEN', `whistle ${open[0].whistleId} is still open: withdraw it first`);
  return [{
    type: 'CaseTransferred',
    data: {
      fromCompoundId: existing.location.compoundId, toCompoundId: compoundId, reason,
      previousAssigneeId: existing.assigneeId, previousTier: existing.tier,
    },
  }];
}
