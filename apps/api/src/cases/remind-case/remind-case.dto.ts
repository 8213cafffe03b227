import { Text } from '../../common/dto-rules';

export class RemindCaseDto {
  @Text(2000, '居民再次来电，请尽快处理')
  note!: string;
}
