import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import { ROLES, Role } from '@civicloop/domain';

export class DemoSignInDto {
  @ApiProperty({ enum: ROLES }) @IsIn(ROLES as unknown as string[], { message: `$property must be one of: ${ROLES.join(', ')}` })
  role!: Role;

  @ApiPropertyOptional({ description: 'the unit the demo user works for (any unit of the directory)' })
  @IsOptional() @IsString() @Length(1, 100)
  unitId?: string;
}

export class DemoUserDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty({ type: String, nullable: true }) unitId!: string | null;
}

export class DemoUsersDto {
  @ApiProperty({ type: [DemoUserDto] }) users!: DemoUserDto[];
}

export class DemoTokenDto {
  @ApiProperty() token!: string;
  @ApiProperty({ type: DemoUserDto }) user!: DemoUserDto;
}
