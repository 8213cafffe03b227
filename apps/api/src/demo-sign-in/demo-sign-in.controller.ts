import { Body, Controller, Get, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { resolve } from 'node:path';
import { DEMO_DIRECTORY_FILE, Directory, DirectoryUser } from '@civicloop/directory';
import { AppConfig } from '@civicloop/platform';
import { Public } from '../auth/actor';
import { ApiError } from '../common/api-error';
import { demoUser, signToken } from '../cli/token';
import { DemoSignInDto, DemoTokenDto, DemoUsersDto } from './demo-sign-in.dto';

/**
 * The console's demo-user picker: signs a token for any role × unit, so it exists only while the
 * service runs on the shipped demo directory and NODE_ENV is not production. Anywhere else these
 * endpoints answer 404 as if they were not there.
 */
@ApiTags('demo sign-in')
@Controller('demo-sign-in')
export class DemoSignInController {
  constructor(private readonly config: AppConfig, private readonly directory: Directory) {}

  private get enabled(): boolean {
    return this.config.NODE_ENV !== 'production' && resolve(this.config.DIRECTORY_FILE) === resolve(DEMO_DIRECTORY_FILE);
  }

  private requireEnabled(): void {
    if (!this.enabled) throw new ApiError(HttpStatus.NOT_FOUND, 'DEMO_SIGN_IN_OFF', 'demo sign-in is only offered on the demo directory outside production');
  }

  @Public()
  @Get()
  @ApiOkResponse({ type: DemoUsersDto })
  users(): DemoUsersDto {
    this.requireEnabled();
    return { users: this.directory.allUsers().map(({ id, name, role, unitId }) => ({ id, name, role, unitId: unitId ?? null })) };
  }

  @Public()
  @Post()
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: DemoTokenDto })
  signIn(@Body() body: DemoSignInDto): DemoTokenDto {
    this.requireEnabled();
    if (body.unitId !== undefined && !this.directory.unit(body.unitId)) {
      throw ApiError.badRequest('VALIDATION_FAILED', `no unit ${body.unitId} in the directory`, [{ field: 'unitId', problem: `no unit ${body.unitId} in the directory` }]);
    }
    let user: DirectoryUser;
    try {
      user = demoUser(this.directory, body.role, body.unitId);
    } catch (error) {
      throw ApiError.badRequest('VALIDATION_FAILED', (error as Error).message, [{ field: 'unitId', problem: (error as Error).message }]);
    }
    const token = signToken(this.config.jwtSecret(), user, this.config.JWT_TTL);
    return { token, user: { id: user.id, name: user.name, role: user.role, unitId: user.unitId ?? null } };
  }
}
