import { AddNote, DecideExtension, DecisionContext, RequestExtension, ResolveCase } from '../case.commands';
import { CaseEvent } from '../case.events';
import { refuse } from '../case.errors';
import { CaseState, openWhistles } from '../case.state';
import { OPEN_STATUSES, requireFuture, requireHeld, requireStatus } from './guards';

export function note(command: AddNote, state: CaseState): CaseEvent[] {
  const existing = requireStatus(state, OPEN_STATUSES, 'note');
  requireKeyForPersonalText(existing.personalDataErasedAt);
  return [{ type: 'CaseNoteAdded', data: { text: command.data.text } }];
}

/** An extension only ever moves the deadline later: never earlier than when the resolution is due now. */
function requireLaterThanDue(until: string, ctx: DecisionContext, refusal: (message: string) => Error): void {
  const due = ctx.resolveDueAt;
  if (due && Date.parse(until) <= Date.parse(due)) {
    throw refusal(`until (${until}) must be later than the current resolution deadline ${due}`);
  }
}

export function requestExtension(command: RequestExtension, state: CaseState, ctx: DecisionContext): CaseEvent[] {
  const held = requireHeld(state, ['accepted'], 'extension-request');
  if (held.pendingExtension) throw refuse.conflict('EXTENSION_PENDING', 'an extension request is already waiting for a decision');
  requireFuture(command.data.until, 'until', ctx);
  requireLaterThanDue(command.data.until, ctx, (message) => refuse.invalid('EXTENSION_NOT_LATER', 'until', message));
  return [{ type: 'ExtensionRequested', data: { until: command.data.until, reason: command.data.reason } }];
}

export function decideExtension(command: DecideExtension, state: CaseState, ctx: DecisionContext): CaseEvent[] {
  const held = requireHeld(state, ['accepted'], 'extension-decision');
  const pending = held.pendingExtension;
  if (!pending) throw refuse.conflict('NO_EXTENSION_PENDING', 'no extension request is waiting for a decision');
  // The deadline may have moved since the request (a calendar correction): approval re-checks it.
  if (command.data.approved) {
    requireLaterThanDue(pending.until, ctx, (message) => refuse.conflict('EXTENSION_NOT_LATER', message));
  }
  return [{ type: 'ExtensionDecided', data: { approved: command.data.approved, until: pending.until, note: command.data.note ?? null } }];
}

export function resolve(command: ResolveCase, state: CaseState): CaseEvent[] {
  requireHeld(state, ['accepted'], 'resolve');
  const open = openWhistles(state);
  if (open.length > 0) {
    throw refuse.conflict('WHISTLE_OPEN',
      `whistle ${open[0].whistleId} is still open: every named department must report and act first, or it must be withdrawn`);
  }
  return [{ type: 'CaseResolved', data: { summary: command.data.summary, outcome: command.data.outcome } }];
}

/**
 * Notes and rating comments may quote the resident, so they are kept under the case's data key;
 * once that key is destroyed new text could only be stored as 已删除, which would lose it while
 * answering 200. Refused instead, so the writer knows (handling goes on without free text).
 */
export function requireKeyForPersonalText(erasedAt: string | null): void {
  if (erasedAt !== null) {
    throw refuse.conflict('PERSONAL_DATA_ERASED', `the personal data of this case was erased at ${erasedAt}: free text (notes, rating comments) can no longer be kept for it`);
  }
}
