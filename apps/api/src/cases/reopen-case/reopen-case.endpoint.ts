import { caseCommandEndpoint } from '../common/case-command.endpoint';
import { ReopenCaseDto } from './reopen-case.dto';

export const ReopenCaseEndpoint = caseCommandEndpoint({
  path: 'reopen',
  summary: '重办 Reopen a resolved case for rework',
  dto: ReopenCaseDto,
  toCommand: (body) => ({ type: 'ReopenCase', data: { reason: body.reason } }),
});
