import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { ROLES } from '@civicloop/domain';
import { ApiError } from '../common/api-error';
import { IS_PUBLIC, TokenClaims } from './actor';

const unauthenticated = (message: string) => new ApiError(HttpStatus.UNAUTHORIZED, 'UNAUTHENTICATED', message);

@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(private readonly jwt: JwtService, private readonly reflector: Reflector) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest();
    const header: string | undefined = request.headers.authorization;
    const match = header?.match(/^Bearer\s+(\S+)$/i);
    if (!match) throw unauthenticated('a bearer token is required (Authorization: Bearer <jwt>)');
    let claims: TokenClaims;
    try {
      claims = await this.jwt.verifyAsync<TokenClaims>(match[1], { algorithms: ['HS256'] });
    } catch (error) {
      const expired = (error as Error).name === 'TokenExpiredError';
      throw unauthenticated(expired ? 'the token has expired' : 'the token is not valid');
    }
    if (typeof (claims as { exp?: unknown }).exp !== 'number') throw unauthenticated('the token has no expiry');
    if (!claims.sub || !ROLES.includes(claims.role)) throw unauthenticated('the token names no user or an unknown role');
    request.actor = { id: claims.sub, role: claims.role, unitId: claims.org ?? null };
    return true;
  }
}
