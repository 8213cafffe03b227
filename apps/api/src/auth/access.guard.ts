import { CanActivate, ExecutionContext, HttpStatus, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Actor } from '@civicloop/domain';
import { CaseRepository } from '@civicloop/cases';
import { Directory } from '@civicloop/directory';
import { ApiError } from '../common/api-error';
import { IS_PUBLIC } from './actor';
import { AccessRule, decideAccess } from './case-access.policy';

const ACCESS = 'access';
/** Names the policy row that governs an endpoint; an endpoint without one is closed to everybody. */
export const Access = (rule: AccessRule) => SetMetadata(ACCESS, rule);

const forbidden = (code: string, message: string) => new ApiError(HttpStatus.FORBIDDEN, code, message);

/** Runs after the JWT guard on every request: role first, then scope against the case as it stands. */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(private readonly reflector: Reflector, private readonly cases: CaseRepository, private readonly directory: Directory) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS, targets);
    if (!rule) throw forbidden('NO_ACCESS_RULE', 'no access rule is declared for this endpoint (deny by default)');
    const request = context.switchToHttp().getRequest<{ actor: Actor; params: Record<string, string>; body: unknown }>();
    const caseId = request.params?.id;
    const state = caseId ? (await this.cases.load(caseId)).state : null;
    // An unknown case is left to the handler, which answers 404.
    if (state && state.status === 'none') return true;
    const body = (request.body && typeof request.body === 'object' ? request.body : {}) as Record<string, unknown>;
    const decision = decideAccess(rule, { actor: request.actor, state, body, directory: this.directory });
    if (decision === 'role') throw forbidden('ROLE_NOT_ALLOWED', `a ${request.actor.role} may not ${rule}`);
    if (decision === 'scope') throw forbidden('OUT_OF_SCOPE', `this case is outside what ${request.actor.id} may ${rule}`);
    return true;
  }
}
