import { caseCommandEndpoint } from '../common/case-command.endpoint';
import { ResolveCaseDto } from './resolve-case.dto';

export const ResolveCaseEndpoint = caseCommandEndpoint({
  path: 'resolve',
  summary: '办结 The handler reports the case resolved',
  dto: ResolveCaseDto,
  toCommand: (body) => ({ type: 'ResolveCase', data: { summary: body.summary, outcome: body.outcome } }),
});
