import { Text } from '../../common/dto-rules';

export class CloseCaseDto {
  @Text(2000)
  reason!: string;
}
