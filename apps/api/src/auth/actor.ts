import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { Actor, Role } from '@civicloop/domain';

export const IS_PUBLIC = 'isPublic';
/** Marks an endpoint that needs no token (health, API docs). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

export interface TokenClaims {
  sub: string;
  role: Role;
  org: string | null;
  name?: string;
}

/** The verified actor of the request: taken from the bearer token only, never from the body. */
export const CurrentActor = createParamDecorator((_: unknown, context: ExecutionContext): Actor => {
  return context.switchToHttp().getRequest<{ actor: Actor }>().actor;
});
