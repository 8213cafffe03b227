import { caseCommandEndpoint } from '../common/case-command.endpoint';
import { RemindCaseDto } from './remind-case.dto';

export const RemindCaseEndpoint = caseCommandEndpoint({
  path: 'remind',
  summary: '催办 A reminder to the unit holding the case',
  dto: RemindCaseDto,
  toCommand: (body) => ({ type: 'RemindCase', data: { note: body.note } }),
});
