import { Text } from '../../common/dto-rules';

export class ReopenCaseDto {
  @Text(2000)
  reason!: string;
}
