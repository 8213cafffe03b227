import { toInstant } from '../../common/dto-rules';
import { caseCommandEndpoint } from '../common/case-command.endpoint';
import { OrderSupervisionDto } from './order-supervision.dto';

export const OrderSupervisionEndpoint = caseCommandEndpoint({
  path: 'supervise',
  summary: '督办 A supervision order: stays open until the handler answers it',
  dto: OrderSupervisionDto,
  mints: 'supervisionId',
  toCommand: ({ reason, answerBy }, supervisionId) =>
    ({ type: 'OrderSupervision', data: { supervisionId, reason, ...(answerBy !== undefined && { answerBy: toInstant(answerBy) }) } }),
});
