import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, Length, Matches } from 'class-validator';
import { BOARD_SORTS, BoardSort } from '@civicloop/read-models';
import { ViewQueryDto } from '../common/view-query.dto';
import { IsNotBefore } from '../common/date-rules';

const LIST = /^[a-z0-9_.-]+(,[a-z0-9_.-]+)*$/;
const listMessage = { message: '$property must be a comma-separated list of codes' };

export class BoardQueryDto extends ViewQueryDto {
  @ApiPropertyOptional({ description: 'comma-separated statuses' }) @IsOptional() @Matches(LIST, listMessage)
  status?: string;

  @ApiPropertyOptional({ description: 'comma-separated tiers' }) @IsOptional() @Matches(LIST, listMessage)
  tier?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 100)
  assignee?: string;

  @ApiPropertyOptional({ description: 'any unit: cases located in its subtree' }) @IsOptional() @IsString() @Length(1, 100)
  area?: string;

  @ApiPropertyOptional({ description: 'comma-separated category codes' }) @IsOptional() @Matches(LIST, listMessage)
  category?: string;

  @ApiPropertyOptional({ description: 'comma-separated channels' }) @IsOptional() @Matches(LIST, listMessage)
  channel?: string;

  @ApiPropertyOptional({ description: 'comma-separated urgencies' }) @IsOptional() @Matches(LIST, listMessage)
  urgency?: string;

  @ApiPropertyOptional({ enum: ['true', 'false'] }) @IsOptional() @IsIn(['true', 'false'], { message: '$property must be true or false' })
  overdue?: 'true' | 'false';

  @ApiPropertyOptional({ format: 'date-time' }) @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true }, { message: '$property must be an ISO-8601 date-time' })
  receivedFrom?: string;

  @ApiPropertyOptional({ format: 'date-time' }) @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true }, { message: '$property must be an ISO-8601 date-time' })
  @IsNotBefore('receivedFrom')
  receivedTo?: string;

  @ApiPropertyOptional({ description: 'text in the description' }) @IsOptional() @IsString() @Length(1, 200)
  q?: string;

  @ApiPropertyOptional({ enum: BOARD_SORTS, default: '-receivedAt' }) @IsOptional()
  @IsIn(BOARD_SORTS as unknown as string[], { message: `$property must be one of: ${BOARD_SORTS.join(', ')}` })
  sort?: BoardSort;

  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 500)
  cursor?: string;

  @ApiPropertyOptional({ default: 50, maximum: 500 }) @IsOptional()
  @Matches(/^([1-9]\d{0,1}|[1-4]\d\d|500)$/, { message: '$property must be a whole number from 1 to 500' })
  limit?: string;
}
