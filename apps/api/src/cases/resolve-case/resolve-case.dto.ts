import { OUTCOMES, ResolutionOutcome } from '@civicloop/domain';
import { OneOf, Text } from '../../common/dto-rules';

export class ResolveCaseDto {
  @Text(4000)
  summary!: string;

  @OneOf(OUTCOMES)
  outcome!: ResolutionOutcome;
}
