import { RETURN_REASONS, ReturnReason } from '@civicloop/domain';
import { OneOf, OptionalText } from '../../common/dto-rules';

export class ReturnCaseDto {
  @OneOf(RETURN_REASONS)
  reason!: ReturnReason;

  @OptionalText(2000)
  note?: string;
}
