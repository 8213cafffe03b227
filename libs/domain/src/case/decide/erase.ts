import { ErasePersonalData } from '../case.commands';
import { refuse } from '../case.errors';
import { CaseEvent } from '../case.events';
import { CaseState } from '../case.state';
import { requireExisting } from './guards';

/** Erased once: a second erasure (a retention run that meets it again) is refused, and changes nothing. */
export function erase(command: ErasePersonalData, state: CaseState): CaseEvent[] {
  requireExisting(state);
  if (state.personalDataErasedAt !== null) {
    throw refuse.conflict('PERSONAL_DATA_ALREADY_ERASED', `the personal data of case ${state.id} was erased at ${state.personalDataErasedAt}`);
  }
  return [{ type: 'PersonalDataErased', data: { reason: command.data.reason } }];
}
