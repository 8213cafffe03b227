import { Text } from '../../common/dto-rules';

export class RecallDispatchDto {
  @Text(2000, '派错单位，撤回重派')
  reason!: string;
}
