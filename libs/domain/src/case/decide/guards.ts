import { DecisionContext } from '../case.commands';
import { CaseEvent } from '../case.events';
import { refuse } from '../case.errors';
import { CaseState, ExistingCase, exists, HeldCase, isHeld, openSupervisions } from '../case.state';
import { CaseStatus, Tier } from '../vocabulary';
import { UNIT_KINDS_BY_TIER } from '../../directory/directory';
import { coversCompound } from '../../directory/jurisdiction';

export const OPEN_STATUSES: readonly CaseStatus[] = ['received', 'dispatched', 'accepted', 'resolved'];
export const WITHDRAWABLE: readonly CaseStatus[] = ['received', 'dispatched', 'accepted'];

const STATUS_CODES: Partial<Record<CaseStatus, string>> = {
  received: 'CASE_NOT_RECEIVED',
  dispatched: 'CASE_NOT_DISPATCHED',
  accepted: 'CASE_NOT_ACCEPTED',
  resolved: 'CASE_NOT_RESOLVED',
};

export function requireExisting(state: CaseState): ExistingCase {
  if (!exists(state)) throw refuse.notFound('CASE_NOT_FOUND', 'case does not exist');
  return state;
}

/** The case, narrowed to an existing one in one of `allowed`; otherwise the stable refusal. */
export function requireStatus(state: CaseState, allowed: readonly CaseStatus[], command: string): ExistingCase {
  const existing = requireExisting(state);
  if (allowed.includes(existing.status)) return existing;
  if (existing.status === 'closed') throw refuse.conflict('CASE_CLOSED', `${command}: the case is closed`);
  const code = allowed.length === 1 ? STATUS_CODES[allowed[0]] ?? 'CASE_STATUS_NOT_ALLOWED' : 'CASE_STATUS_NOT_ALLOWED';
  throw refuse.conflict(code, `${command} is not allowed while the case is ${existing.status} (allowed: ${allowed.join(', ')})`);
}

/** The case, narrowed to one a unit holds, in one of `allowed` (dispatched and/or accepted). */
export function requireHeld(state: CaseState, allowed: readonly ('dispatched' | 'accepted')[], command: string): HeldCase {
  requireStatus(state, allowed, command);
  if (!isHeld(state)) throw refuse.conflict('CASE_NOT_HELD', `${command}: no unit holds the case`);
  return state;
}

export function requireFuture(value: string, field: string, ctx: DecisionContext): void {
  if (Date.parse(value) <= Date.parse(ctx.now)) {
    throw refuse.invalid('DATE_NOT_IN_FUTURE', field, `${field} must be later than now (${ctx.now})`);
  }
}

/** The unit exists, may hold a case at `tier`, and covers the case's compound (属地). */
export function requireHandlerFor(assigneeId: string, tier: Tier, compoundId: string, ctx: DecisionContext, field: string): void {
  const unit = ctx.directory.unit(assigneeId);
  if (!unit) throw refuse.invalid('UNKNOWN_UNIT', field, `no unit ${assigneeId} in the directory`);
  const allowed = UNIT_KINDS_BY_TIER[tier];
  if (!allowed.includes(unit.kind)) {
    throw refuse.invalid('UNIT_KIND_NOT_ALLOWED_AT_TIER', field,
      `${assigneeId} is a ${unit.kind}; at tier ${tier} a case goes to a ${allowed.join(' or ')}`);
  }
  if (!coversCompound(ctx.directory, assigneeId, compoundId)) {
    throw refuse.invalid('UNIT_OUTSIDE_JURISDICTION', field, `${assigneeId} does not cover compound ${compoundId}`);
  }
}

/** Orders still open when the case ends are ended with it, each recorded. */
export function endOpenSupervisions(state: CaseState, reason: string): CaseEvent[] {
  return openSupervisions(state).map((o) => ({ type: 'SupervisionEnded', data: { supervisionId: o.supervisionId, reason } }));
}

/** The street a compound lies in (merges stay within one street). */
export function streetOf(compoundId: string, ctx: DecisionContext): string | undefined {
  return ctx.directory.ancestorOfKind(compoundId, 'street')?.id;
}
