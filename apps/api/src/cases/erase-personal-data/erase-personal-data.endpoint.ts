import { caseCommandEndpoint } from '../common/case-command.endpoint';
import { ErasePersonalDataDto } from './erase-personal-data.dto';

export const ErasePersonalDataEndpoint = caseCommandEndpoint({
  path: 'erase-personal-data',
  summary: '删除个人信息 Erase the resident\'s personal data for good (the case\'s data key is destroyed; PIPL art. 47)',
  dto: ErasePersonalDataDto,
  toCommand: (body) => ({ type: 'ErasePersonalData', data: { reason: body.reason } }),
});
