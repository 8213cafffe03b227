import { caseCommandEndpoint } from '../common/case-command.endpoint';
import { MergeCaseDto } from './merge-case.dto';

export const MergeCaseEndpoint = caseCommandEndpoint({
  path: 'merge',
  summary: '合并重复工单 Close this case as a duplicate of an open case in the same street',
  dto: MergeCaseDto,
  toCommand: (body) => ({ type: 'MergeCase', data: { intoCaseId: body.intoCaseId } }),
});
