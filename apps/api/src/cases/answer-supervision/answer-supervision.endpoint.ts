import { caseCommandEndpoint } from '../common/case-command.endpoint';
import { AnswerSupervisionDto } from './answer-supervision.dto';

export const AnswerSupervisionEndpoint = caseCommandEndpoint({
  path: 'supervision-answer',
  summary: '督办反馈 The handler answers a supervision order',
  dto: AnswerSupervisionDto,
  toCommand: (body) => ({ type: 'AnswerSupervision', data: { supervisionId: body.supervisionId, answer: body.answer } }),
});
