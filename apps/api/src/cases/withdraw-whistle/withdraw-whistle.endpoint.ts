import { caseCommandEndpoint } from '../common/case-command.endpoint';
import { WithdrawWhistleDto } from './withdraw-whistle.dto';

export const WithdrawWhistleEndpoint = caseCommandEndpoint({
  path: 'whistle-withdraw',
  summary: '撤哨 The street or a higher supervisor withdraws a whistle',
  dto: WithdrawWhistleDto,
  toCommand: (body) => ({ type: 'WithdrawWhistle', data: { whistleId: body.whistleId, reason: body.reason } }),
});
