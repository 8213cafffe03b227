import { CaseCommand, DecisionContext } from './case.commands';
import { CaseEvent } from './case.events';
import { CaseState } from './case.state';
import { accept, dispatch, escalate, recall, remind, returnCase, reviewReturn } from './decide/assignment';
import { close, merge, rate, recordDuplicateMerged, reopen, unmask } from './decide/closing';
import { erase } from './decide/erase';
import { deadlineReached, deadlineRescheduled } from './decide/deadline-reached';
import { decideExtension, note, requestExtension, resolve } from './decide/handling';
import { receive, transfer } from './decide/intake';
import { answerSupervision, orderSupervision } from './decide/supervision';
import { blowWhistle, recordDepartmentAction, reportDepartment, withdrawWhistle } from './decide/whistle';

/**
 * What a command does to the case as it stands: the events to record, or a refusal with a stable
 * code (thrown CaseRefused). Who may issue it is `authorize`'s question, asked first by the gate.
 * One function per command, each in the folder of its part of the loop.
 */
export function decide(command: CaseCommand, state: CaseState, ctx: DecisionContext): CaseEvent[] {
  switch (command.type) {
    case 'ReceiveCase': return receive(command, state, ctx);
    case 'TransferCase': return transfer(command, state, ctx);
    case 'DispatchCase': return dispatch(command, state, ctx);
    case 'RecallDispatch': return recall(command, state);
    case 'AcceptCase': return accept(command, state);
    case 'ReturnCase': return returnCase(command, state);
    case 'ReviewReturn': return reviewReturn(command, state);
    case 'EscalateCase': return escalate(command, state, ctx);
    case 'RemindCase': return remind(command, state);
    case 'AddNote': return note(command, state);
    case 'RequestExtension': return requestExtension(command, state, ctx);
    case 'DecideExtension': return decideExtension(command, state, ctx);
    case 'ResolveCase': return resolve(command, state);
    case 'BlowWhistle': return blowWhistle(command, state, ctx);
    case 'ReportDepartment': return reportDepartment(command, state);
    case 'RecordDepartmentAction': return recordDepartmentAction(command, state);
    case 'WithdrawWhistle': return withdrawWhistle(command, state);
    case 'OrderSupervision': return orderSupervision(command, state, ctx);
    case 'AnswerSupervision': return answerSupervision(command, state);
    case 'RateCase': return rate(command, state, ctx);
    case 'ReopenCase': return reopen(command, state, ctx);
    case 'CloseCase': return close(command, state);
    case 'MergeCase': return merge(command, state, ctx);
    case 'RecordDuplicateMerged': return recordDuplicateMerged(command, state, ctx);
    case 'UnmaskPersonalData': return unmask(command, state);
    case 'ErasePersonalData': return erase(command, state);
    case 'RecordDeadlineReached': return deadlineReached(command, state, ctx);
    case 'RecordDeadlineRescheduled': return deadlineRescheduled(command, state);
    default: {
      const unknown: never = command;
      throw new Error(`unknown case command ${(unknown as { type: string }).type}`);
    }
  }
}
