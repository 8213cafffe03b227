import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsDefined, IsNumber, IsObject, IsOptional, Matches, Max, Min, ValidateNested } from 'class-validator';
import { CHANNELS, Channel, REQUEST_TYPES, RequestType, URGENCIES, Urgency } from '@civicloop/domain';
import { Id, OneOf, OptionalText, Text } from '../../common/dto-rules';

export class LocationDto {
  @Id('compound-01')
  compoundId!: string;

  @OptionalText(50)
  building?: string;

  @OptionalText(50)
  unit?: string;

  @ApiPropertyOptional() @IsOptional() @IsNumber() @Min(-90) @Max(90)
  lat?: number;

  @ApiPropertyOptional() @IsOptional() @IsNumber() @Min(-180) @Max(180)
  long?: number;
}

export class ReporterDto {
  @OptionalText(50)
  name?: string;

  @ApiPropertyOptional({ example: '13800138000' }) @IsOptional()
  @Matches(/^\+?[0-9][0-9 -]{4,19}$/, { message: 'phone must be 5 to 20 digits, spaces or dashes' })
  phone?: string;

  @ApiPropertyOptional() @IsOptional() @IsBoolean()
  anonymous?: boolean;
}

export class ReceiveCaseDto {
  @OneOf(CHANNELS)
  channel!: Channel;

  @Id('repair.water_leak')
  category!: string;

  @OneOf(URGENCIES)
  urgency!: Urgency;

  @OneOf(REQUEST_TYPES)
  requestType!: RequestType;

  @Text(4000, '楼顶漏水，雨天渗到卧室')
  description!: string;

  @ApiProperty({ type: LocationDto }) @IsDefined() @IsObject() @ValidateNested() @Type(() => LocationDto)
  location!: LocationDto;

  @ApiPropertyOptional({ type: ReporterDto }) @IsOptional() @IsObject() @ValidateNested() @Type(() => ReporterDto)
  reporter?: ReporterDto;
}
