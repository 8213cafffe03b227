import { caseCommandEndpoint } from '../common/case-command.endpoint';
import { ReportDepartmentDto } from './report-department.dto';

export const ReportDepartmentEndpoint = caseCommandEndpoint({
  path: 'department-report',
  summary: '报到 A summoned department reports',
  dto: ReportDepartmentDto,
  toCommand: (body) => ({ type: 'ReportDepartment', data: { whistleId: body.whistleId, departmentId: body.departmentId } }),
});
