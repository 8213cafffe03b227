import { caseCommandEndpoint } from '../common/case-command.endpoint';
import { ReviewReturnDto } from './review-return.dto';

export const ReviewReturnEndpoint = caseCommandEndpoint({
  path: 'return-review',
  summary: '退单审核 The dispatch centre approves or rejects a return',
  dto: ReviewReturnDto,
  toCommand: (body) => ({ type: 'ReviewReturn', data: { approved: body.approved, ...(body.note !== undefined && { note: body.note }) } }),
});
