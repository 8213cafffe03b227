import { Flag, OptionalText } from '../../common/dto-rules';

export class DecideExtensionDto {
  @Flag()
  approved!: boolean;

  @OptionalText(2000)
  note?: string;
}
