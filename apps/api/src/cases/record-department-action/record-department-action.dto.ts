import { Id, Text } from '../../common/dto-rules';

export class RecordDepartmentActionDto {
  @Id()
  whistleId!: string;

  @Id('dept-urban')
  departmentId!: string;

  @Text(4000)
  action!: string;
}
