import { caseCommandEndpoint } from '../common/case-command.endpoint';
import { RateCaseDto } from './rate-case.dto';

export const RateCaseEndpoint = caseCommandEndpoint({
  path: 'rate',
  summary: '评价 / 回访 The resident rates, or the operator records a callback rating',
  dto: RateCaseDto,
  toCommand: (body) => ({ type: 'RateCase', data: { rating: body.rating, solved: body.solved, ...(body.comment !== undefined && { comment: body.comment }) } }),
});
