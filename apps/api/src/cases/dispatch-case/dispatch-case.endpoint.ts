import { caseCommandEndpoint } from '../common/case-command.endpoint';
import { DispatchCaseDto } from './dispatch-case.dto';

export const DispatchCaseEndpoint = caseCommandEndpoint({
  path: 'dispatch',
  summary: '派单 Dispatch to a unit covering the case at a tier; again after a return or a reopen',
  dto: DispatchCaseDto,
  toCommand: (body) => ({ type: 'DispatchCase', data: { assigneeId: body.assigneeId, tier: body.tier } }),
});
