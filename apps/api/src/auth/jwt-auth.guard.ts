import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { decodeProtectedHeader } from 'jose';
import { Actor } from '@civicloop/domain';
import { Directory } from '@civicloop/directory';
import { AppConfig } from '@civicloop/platform';
import { ApiError } from '../common/api-error';
import { IS_PUBLIC, TokenClaims } from './actor';
import { IDP_ALGORITHMS, IdentityRefused, ResidentIdentityProvider } from './resident-identity-provider';
import { VerifiedTokens } from './verified-tokens';

const unauthenticated = (message: string) => new ApiError(HttpStatus.UNAUTHORIZED, 'UNAUTHENTICATED', message);

/**
 * Who is asking. Staff tokens (HS256) must name a user of the directory, and the user's role and
 * unit are the directory's: a token claiming another role or unit is refused, as is one for a user
 * no longer listed. Residents' tokens come from their identity provider (RS256/ES256 over a JWKS).
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  private readonly verified = new VerifiedTokens();

  constructor(
    private readonly jwt: JwtService,
    private readonly reflector: Reflector,
    private readonly directory: Directory,
    private readonly config: AppConfig,
    private readonly residents: ResidentIdentityProvider,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; actor?: Actor }>();
    const match = request.headers.authorization?.match(/^Bearer\s+(\S+)$/i);
    if (!match) throw unauthenticated('a bearer token is required (Authorization: Bearer <jwt>)');
    const token = match[1];
    // A staff token seen before skips even the header decode (2% of a command): only staff tokens are remembered.
    const known = this.verified.claimsOf(token);
    if (known) request.actor = this.staffActor(known);
    else request.actor = IDP_ALGORITHMS.includes(algorithmOf(token)) ? await this.resident(token) : this.staffActor(await this.verify(token));
    return true;
  }

  private async resident(token: string): Promise<Actor> {
    try {
      return { id: await this.residents.residentId(token), role: 'resident', unitId: null };
    } catch (error) {
      if (error instanceof IdentityRefused) throw unauthenticated(error.message);
      throw error;
    }
  }

  /** The directory has the last word on every request: a user removed or moved since the token was signed is refused. */
  private staffActor(claims: TokenClaims): Actor {
    const user = typeof claims.sub === 'string' ? this.directory.user(claims.sub) : undefined;
    if (!user) throw unauthenticated('the token names no user of the directory');
    if (claims.role !== user.role || (claims.org ?? null) !== user.unitId) {
      throw unauthenticated(`the token's role or unit disagrees with the directory's for ${user.id}`);
    }
    if (user.role === 'resident' && this.config.NODE_ENV === 'production') {
      throw unauthenticated('residents sign in through the residents\' identity provider (JWT_JWKS_URL)');
    }
    return { id: user.id, role: user.role, unitId: user.unitId };
  }

  /** The signature and expiry check (HS256), remembered for the token's next requests. */
  private async verify(token: string): Promise<TokenClaims> {
    let claims: TokenClaims & { exp?: unknown };
    try {
      claims = await this.jwt.verifyAsync<TokenClaims & { exp?: unknown }>(token, { algorithms: ['HS256'] });
    } catch (error) {
      const expired = (error as Error).name === 'TokenExpiredError';
      throw unauthenticated(expired ? 'the token has expired' : 'the token is not valid');
    }
    const { exp } = claims;
    if (typeof exp !== 'number') throw unauthenticated('the token has no expiry');
    this.verified.remember(token, { ...claims, exp });
    return claims;
  }
}

function algorithmOf(token: string): string {
  try {
    return decodeProtectedHeader(token).alg ?? '';
  } catch {
    return ''; // not a JWT at all: the staff path refuses it with a 401
  }
}
