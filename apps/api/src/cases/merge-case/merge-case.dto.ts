import { Id } from '../../common/dto-rules';

export class MergeCaseDto {
  @Id()
  intoCaseId!: string;
}
