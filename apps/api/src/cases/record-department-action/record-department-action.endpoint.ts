import { caseCommandEndpoint } from '../common/case-command.endpoint';
import { RecordDepartmentActionDto } from './record-department-action.dto';

export const RecordDepartmentActionEndpoint = caseCommandEndpoint({
  path: 'department-action',
  summary: '处置 A summoned department records what it did',
  dto: RecordDepartmentActionDto,
  toCommand: (body) => ({ type: 'RecordDepartmentAction', data: { whistleId: body.whistleId, departmentId: body.departmentId, action: body.action } }),
});
