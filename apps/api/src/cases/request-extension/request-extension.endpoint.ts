import { caseCommandEndpoint } from '../common/case-command.endpoint';
import { RequestExtensionDto } from './request-extension.dto';
import { toInstant } from '../../common/dto-rules';

export const RequestExtensionEndpoint = caseCommandEndpoint({
  path: 'extension-request',
  summary: '延期申请 Ask for a later resolution deadline',
  dto: RequestExtensionDto,
  toCommand: (body) => ({ type: 'RequestExtension', data: { until: toInstant(body.until), reason: body.reason } }),
});
