import { AnswerSupervision, DecisionContext, OrderSupervision } from '../case.commands';
import { CaseEvent } from '../case.events';
import { refuse } from '../case.errors';
import { CaseState } from '../case.state';
import { OPEN_STATUSES, requireFuture, requireStatus } from './guards';

export function orderSupervision(command: OrderSupervision, state: CaseState, ctx: DecisionContext): CaseEvent[] {
  requireStatus(state, OPEN_STATUSES, 'supervise');
  const { supervisionId, reason, answerBy } = command.data;
  if (answerBy) requireFuture(answerBy, 'answerBy', ctx);
  return [{ type: 'SupervisionOrdered', data: { supervisionId, reason, answerBy: answerBy ?? null } }];
}

export function answerSupervision(command: AnswerSupervision, state: CaseState): CaseEvent[] {
  requireStatus(state, OPEN_STATUSES, 'supervision-answer');
  const order = state.supervisions.find((o) => o.supervisionId === command.data.supervisionId);
  if (!order) throw refuse.notFound('UNKNOWN_SUPERVISION', `no supervision order ${command.data.supervisionId} on this case`);
  if (order.answer !== null) throw refuse.conflict('SUPERVISION_ALREADY_ANSWERED', 'this supervision order has already been answered');
  if (order.endedAt !== null) throw refuse.conflict('SUPERVISION_ENDED', 'this supervision order ended with the case');
  return [{ type: 'SupervisionAnswered', data: { supervisionId: order.supervisionId, answer: command.data.answer } }];
}
