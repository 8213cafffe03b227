import { caseCommandEndpoint } from '../common/case-command.endpoint';
import { DecideExtensionDto } from './decide-extension.dto';

export const DecideExtensionEndpoint = caseCommandEndpoint({
  path: 'extension-decision',
  summary: '延期审批 Approve or refuse the pending extension request',
  dto: DecideExtensionDto,
  toCommand: (body) => ({ type: 'DecideExtension', data: { approved: body.approved, ...(body.note !== undefined && { note: body.note }) } }),
});
