import { Id, Text } from '../../common/dto-rules';

export class TransferCaseDto {
  /** The compound the case really belongs to. */
  @Id('compound-07')
  compoundId!: string;

  @Text(2000, '地址有误，实为中华门街道小区')
  reason!: string;
}
