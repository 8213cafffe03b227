import { TIERS, Tier } from '@civicloop/domain';
import { Id, OneOf } from '../../common/dto-rules';

export class DispatchCaseDto {
  @Id('company-jinling')
  assigneeId!: string;

  @OneOf(TIERS)
  tier!: Tier;
}
