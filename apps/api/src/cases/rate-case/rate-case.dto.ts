import { RATINGS, Rating } from '@civicloop/domain';
import { Flag, OneOf, OptionalText } from '../../common/dto-rules';

export class RateCaseDto {
  @OneOf(RATINGS)
  rating!: Rating;

  @Flag()
  solved!: boolean;

  @OptionalText(2000)
  comment?: string;
}
