import { Text } from '../../common/dto-rules';

export class AddNoteDto {
  @Text(4000)
  text!: string;
}
