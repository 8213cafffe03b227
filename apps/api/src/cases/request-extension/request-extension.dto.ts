import { Instant, Text } from '../../common/dto-rules';

export class RequestExtensionDto {
  @Instant()
  until!: string;

  @Text(2000)
  reason!: string;
}
