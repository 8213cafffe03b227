import { Instant, Text } from '../../common/dto-rules';

export class OrderSupervisionDto {
  @Text(2000)
  reason!: string;

  @Instant(true)
  answerBy?: string;
}
