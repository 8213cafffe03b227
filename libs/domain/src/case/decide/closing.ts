import {
  CloseCase, DecisionContext, MergeCase, RateCase, RecordDuplicateMerged, ReopenCase, UnmaskPersonalData,
} from '../case.commands';
import { CaseEvent } from '../case.events';
import { refuse } from '../case.errors';
import { CaseState, ExistingCase, openSupervisions } from '../case.state';
import { endOpenSupervisions, requireExisting, requireStatus, streetOf, WITHDRAWABLE } from './guards';
import { requireKeyForPersonalText } from './handling';

export function rate(command: RateCase, state: CaseState, ctx: DecisionContext): CaseEvent[] {
  const existing = requireStatus(state, ['resolved'], 'rate');
  if (existing.rating) throw refuse.conflict('CASE_ALREADY_RATED', 'this round of handling has already been rated');
  if (command.data.comment) requireKeyForPersonalText(existing.personalDataErasedAt);
  return [{
    type: 'CaseRated',
    data: {
      rating: command.data.rating,
      solved: command.data.solved,
      comment: command.data.comment ?? null,
      source: ctx.actor.role === 'resident' ? 'resident' : 'callback',
    },
  }];
}

export function reopen(command: ReopenCase, state: CaseState, ctx: DecisionContext): CaseEvent[] {
  const existing = requireStatus(state, ['resolved'], 'reopen');
  if (existing.rating?.rating !== 'unsatisfied' && ctx.actor.role !== 'supervisor') {
    throw refuse.conflict('REOPEN_NOT_ALLOWED', 'a case is reopened after an unsatisfied rating, or by a supervisor');
  }
  return [{ type: 'CaseReopened', data: { reason: command.data.reason, reworkCount: existing.reworkCount + 1 } }];
}

/**
 * 结案 of a rated case (refused while a supervision order waits for its answer), or the withdrawal of
 * an open one, which ends its open orders with it.
 */
export function close(command: CloseCase, state: CaseState): CaseEvent[] {
  const existing = requireExisting(state);
  if (existing.status === 'resolved') {
    if (!existing.rating) throw refuse.conflict('CASE_NOT_RATED', 'a resolved case is closed after it has been rated');
    const open = openSupervisions(existing);
    if (open.length > 0) {
      throw refuse.conflict('SUPERVISION_OPEN', `supervision order ${open[0].supervisionId} waits for its answer (督办反馈)`);
    }
    return [{ type: 'CaseClosed', data: { kind: 'rated', reason: command.data.reason, mergedIntoCaseId: null } }];
  }
  requireStatus(existing, WITHDRAWABLE, 'close');
  return [
    ...endOpenSupervisions(existing, 'the case was withdrawn'),
    { type: 'CaseClosed', data: { kind: 'withdrawn', reason: command.data.reason, mergedIntoCaseId: null } },
  ];
}

/** Both cases of a merge lie in one street, and neither is already the other's duplicate. */
function requireMergeable(duplicate: ExistingCase, primary: ExistingCase, ctx: DecisionContext): void {
  if (streetOf(duplicate.location.compoundId, ctx) !== streetOf(primary.location.compoundId, ctx)) {
    throw refuse.conflict('MERGE_ACROSS_STREETS', `case ${primary.id} lies in another street: merge only within one street`);
  }
  if (duplicate.duplicateCaseIds.includes(primary.id)) {
    throw refuse.conflict('MERGE_CYCLE', `case ${primary.id} is already merged into this case`);
  }
}

function requirePrimary(related: CaseState | undefined, intoCaseId: string): ExistingCase {
  if (!related || related.status === 'none' || related.location === null) {
    throw refuse.invalid('UNKNOWN_PRIMARY_CASE', 'intoCaseId', `no case ${intoCaseId}`);
  }
  return { ...related, status: related.status, location: related.location };
}

/** 合并重复工单, on the duplicate: closed into the primary (which records it too, see below). */
export function merge(command: MergeCase, state: CaseState, ctx: DecisionContext): CaseEvent[] {
  const { intoCaseId } = command.data;
  // This very merge again (its first half was written, the primary's half met an outage and the
  // caller retried): nothing more here, and the gate goes on to record it on the primary.
  if (state.status === 'closed' && state.closure?.kind === 'duplicate' && state.closure.mergedIntoCaseId === intoCaseId) return [];
  const duplicate = requireStatus(state, WITHDRAWABLE, 'merge');
  if (intoCaseId === duplicate.id) throw refuse.invalid('MERGE_INTO_SELF', 'intoCaseId', 'a case cannot be merged into itself');
  const primary = requirePrimary(ctx.related, intoCaseId);
  // A primary that already lists this case took the first half of this very merge: it may have closed since.
  if (primary.status === 'closed' && !primary.duplicateCaseIds.includes(duplicate.id)) {
    throw refuse.conflict('PRIMARY_CASE_CLOSED', `case ${intoCaseId} is closed`);
  }
  requireMergeable(duplicate, primary, ctx);
  return [
    ...endOpenSupervisions(duplicate, `merged into ${intoCaseId}`),
    { type: 'CaseClosed', data: { kind: 'duplicate', reason: `duplicate of ${intoCaseId}`, mergedIntoCaseId: intoCaseId } },
  ];
}

/**
 * The primary's half of a merge. Written first when the primary's id sorts first (two opposite
 * merges then meet on the same stream and only one wins), otherwise after the duplicate closed.
 */
export function recordDuplicateMerged(command: RecordDuplicateMerged, state: CaseState, ctx: DecisionContext): CaseEvent[] {
  const primary = requireExisting(state);
  const { duplicateCaseId } = command.data;
  if (primary.duplicateCaseIds.includes(duplicateCaseId)) return [];
  const duplicate = requirePrimary(ctx.related, duplicateCaseId);
  const closedIntoThis = duplicate.closure?.kind === 'duplicate' && duplicate.closure.mergedIntoCaseId === primary.id;
  if (closedIntoThis) return [{ type: 'DuplicateMerged', data: { duplicateCaseId } }];
  if (primary.status === 'closed') throw refuse.conflict('PRIMARY_CASE_CLOSED', `case ${primary.id} is closed`);
  requireStatus(duplicate, WITHDRAWABLE, 'merge');
  requireMergeable(duplicate, primary, ctx);
  return [{ type: 'DuplicateMerged', data: { duplicateCaseId } }];
}

export function unmask(command: UnmaskPersonalData, state: CaseState): CaseEvent[] {
  requireExisting(state);
  return [{ type: 'PersonalDataUnmasked', data: { reason: command.data.reason } }];
}
