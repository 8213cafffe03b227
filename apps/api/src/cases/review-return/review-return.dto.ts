import { Flag, OptionalText } from '../../common/dto-rules';

export class ReviewReturnDto {
  /** true: the return stands and the case waits for dispatch; false: the unit must handle it. */
  @Flag()
  approved!: boolean;

  @OptionalText(2000)
  note?: string;
}
