import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsISO8601, IsOptional, IsString, Length, Matches } from 'class-validator';

/** Free text that must say something: 1..max characters, not only white space. */
export const Text = (max: number, example?: string) => applyDecorators(
  ApiProperty({ minLength: 1, maxLength: max, example }),
  IsString(),
  Length(1, max),
  Matches(/\S/, { message: '$property must not be blank' }),
);

export const OptionalText = (max: number) => applyDecorators(
  ApiPropertyOptional({ maxLength: max }),
  IsOptional(),
  IsString(),
  Length(0, max),
);

/** An id of a directory unit, a case, a whistle or an order. */
export const Id = (example?: string) => applyDecorators(
  ApiProperty({ example }),
  IsString(),
  Length(1, 100),
);

export const OneOf = (values: readonly string[]) => applyDecorators(
  ApiProperty({ enum: values }),
  IsIn(values as string[], { message: `$property must be one of: ${values.join(', ')}` }),
);

export const Instant = (optional = false) => applyDecorators(
  optional ? ApiPropertyOptional({ format: 'date-time' }) : ApiProperty({ format: 'date-time' }),
  ...(optional ? [IsOptional()] : []),
  IsISO8601({ strict: true, strictSeparator: true }, { message: '$property must be an ISO-8601 date-time' }),
);

export const Flag = () => applyDecorators(ApiProperty(), IsBoolean());

/** ISO-8601 with milliseconds and Z, the one form events store, so times compare as strings. */
export const toInstant = (value: string) => new Date(value).toISOString();
