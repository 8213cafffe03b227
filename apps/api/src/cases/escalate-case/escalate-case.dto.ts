import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';
import { Text } from '../../common/dto-rules';

export class EscalateCaseDto {
  @Text(2000)
  reason!: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 100)
  assigneeId?: string;
}
