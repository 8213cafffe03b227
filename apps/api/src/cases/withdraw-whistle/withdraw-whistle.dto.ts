import { Id, Text } from '../../common/dto-rules';

export class WithdrawWhistleDto {
  @Id()
  whistleId!: string;

  @Text(2000, '问题已由街道协调解决，撤回吹哨')
  reason!: string;
}
