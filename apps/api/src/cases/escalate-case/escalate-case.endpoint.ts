import { caseCommandEndpoint } from '../common/case-command.endpoint';
import { EscalateCaseDto } from './escalate-case.dto';

export const EscalateCaseEndpoint = caseCommandEndpoint({
  path: 'escalate',
  summary: '上报 Escalate to the next-tier unit above the compound, which must sign for it',
  dto: EscalateCaseDto,
  toCommand: (body) => ({ type: 'EscalateCase', data: { reason: body.reason, ...(body.assigneeId !== undefined && { assigneeId: body.assigneeId }) } }),
});
