import { caseCommandEndpoint } from '../common/case-command.endpoint';
import { AcceptCaseDto } from './accept-case.dto';

export const AcceptCaseEndpoint = caseCommandEndpoint({
  path: 'accept',
  summary: '签收 Sign for the case: only the unit it is assigned to',
  dto: AcceptCaseDto,
  toCommand: () => ({ type: 'AcceptCase', data: {} }),
});
