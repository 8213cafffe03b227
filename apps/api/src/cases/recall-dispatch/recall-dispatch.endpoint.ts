import { caseCommandEndpoint } from '../common/case-command.endpoint';
import { RecallDispatchDto } from './recall-dispatch.dto';

export const RecallDispatchEndpoint = caseCommandEndpoint({
  path: 'recall',
  summary: '撤回 Take back a dispatch not yet signed for',
  dto: RecallDispatchDto,
  toCommand: (body) => ({ type: 'RecallDispatch', data: { reason: body.reason } }),
});
