import { caseCommandEndpoint } from '../common/case-command.endpoint';
import { CloseCaseDto } from './close-case.dto';

export const CloseCaseEndpoint = caseCommandEndpoint({
  path: 'close',
  summary: '结案 Close a rated case, or withdraw an open one',
  dto: CloseCaseDto,
  toCommand: (body) => ({ type: 'CloseCase', data: { reason: body.reason } }),
});
