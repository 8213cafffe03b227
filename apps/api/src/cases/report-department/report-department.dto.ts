import { Id } from '../../common/dto-rules';

export class ReportDepartmentDto {
  @Id()
  whistleId!: string;

  @Id('dept-urban')
  departmentId!: string;
}
