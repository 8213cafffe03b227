import { Id, Text } from '../../common/dto-rules';

export class AnswerSupervisionDto {
  @Id()
  supervisionId!: string;

  @Text(4000)
  answer!: string;
}
