import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { IsCalendarDate, IsNotBefore } from './date-rules';

/** Parameters every view accepts. */
export class ViewQueryDto {
  @ApiPropertyOptional({ enum: ['json', 'csv'], default: 'json' })
  @IsOptional() @IsIn(['json', 'csv'], { message: '$property must be json or csv' })
  format?: 'json' | 'csv';

  @ApiPropertyOptional({ description: 'the position a command returned: wait (bounded) until the view has caught up with it' })
  @IsOptional() @Matches(/^\d{1,15}$/, { message: '$property must be an event position (a whole number)' })
  consistentWith?: string;
}

/** Grouped views: by a key, per day/week/month in the configured time zone, over local dates. */
export class PeriodQueryDto extends ViewQueryDto {
  @ApiPropertyOptional({ enum: ['day', 'week', 'month'], default: 'month' })
  @IsOptional() @IsIn(['day', 'week', 'month'], { message: '$property must be day, week or month' })
  period?: 'day' | 'week' | 'month';

  @ApiPropertyOptional({ description: 'first local date, YYYY-MM-DD (inclusive)' })
  @IsOptional() @IsCalendarDate()
  from?: string;

  @ApiPropertyOptional({ description: 'last local date, YYYY-MM-DD (inclusive)' })
  @IsOptional() @IsCalendarDate() @IsNotBefore('from')
  to?: string;
}
