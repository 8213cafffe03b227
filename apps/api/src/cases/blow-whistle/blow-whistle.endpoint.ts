import { caseCommandEndpoint } from '../common/case-command.endpoint';
import { BlowWhistleDto } from './blow-whistle.dto';

export const BlowWhistleEndpoint = caseCommandEndpoint({
  path: 'whistle',
  summary: '吹哨 The street whistles: every named department must report and act',
  dto: BlowWhistleDto,
  mints: 'whistleId',
  toCommand: (body, whistleId) => ({ type: 'BlowWhistle', data: { whistleId, departmentIds: body.departmentIds, reason: body.reason } }),
});
