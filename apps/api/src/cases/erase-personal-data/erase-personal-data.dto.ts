import { Text } from '../../common/dto-rules';

export class ErasePersonalDataDto {
  @Text(2000, '居民依《个人信息保护法》第四十七条申请删除')
  reason!: string;
}
