import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsString, Length } from 'class-validator';
import { Text } from '../../common/dto-rules';

export class BlowWhistleDto {
  @ApiProperty({ type: [String], example: ['dept-urban', 'dept-fire'] })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(12) @ArrayUnique() @IsString({ each: true }) @Length(1, 100, { each: true })
  departmentIds!: string[];

  @Text(2000)
  reason!: string;
}
