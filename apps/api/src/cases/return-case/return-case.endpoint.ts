import { caseCommandEndpoint } from '../common/case-command.endpoint';
import { ReturnCaseDto } from './return-case.dto';

export const ReturnCaseEndpoint = caseCommandEndpoint({
  path: 'return',
  summary: '退单 The assignee returns a case that is not theirs',
  dto: ReturnCaseDto,
  toCommand: (body) => ({ type: 'ReturnCase', data: { reason: body.reason, ...(body.note !== undefined && { note: body.note }) } }),
});
