import { Text } from '../../common/dto-rules';

export class UnmaskPersonalDataDto {
  @Text(2000, '复核投诉人身份：重复投诉核查')
  reason!: string;
}
