import { caseCommandEndpoint } from '../common/case-command.endpoint';
import { TransferCaseDto } from './transfer-case.dto';

export const TransferCaseEndpoint = caseCommandEndpoint({
  path: 'transfer',
  summary: '转办 Correct the location: the case waits for dispatch in the new jurisdiction',
  dto: TransferCaseDto,
  toCommand: (body) => ({ type: 'TransferCase', data: { compoundId: body.compoundId, reason: body.reason } }),
});
