import { CanActivate, ExecutionContext, HttpStatus, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Actor, authorizeRead, ReadAccess } from '@civicloop/domain';
import { CaseRepository } from '@civicloop/cases';
import { Directory } from '@civicloop/directory';
import { ApiError } from '../common/api-error';
import { IS_PUBLIC } from './actor';

const ACCESS = 'access';
/** A read endpoint names its row of the domain's READ_ACCESS table. */
export const Access = (rule: ReadAccess) => SetMetadata(ACCESS, rule);
/** A command endpoint: the one gate (authorize beside decide, in libs/domain) decides who may. */
export const Gated = () => SetMetadata(ACCESS, 'gate');

/**
 * Runs after the JWT guard. Deny by default: an endpoint names a read rule or the gate. Commands
 * pass straight to the gate, which authorizes on the state it decides on (and again on a retry);
 * reads are checked here against the same table file's read rows.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(private readonly reflector: Reflector, private readonly cases: CaseRepository, private readonly directory: Directory) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const rule = this.reflector.getAllAndOverride<ReadAccess | 'gate' | undefined>(ACCESS, targets);
    if (!rule) throw new ApiError(HttpStatus.FORBIDDEN, 'NO_ACCESS_RULE', 'no access rule is declared for this endpoint (deny by default)');
    if (rule === 'gate') return true;
    const request = context.switchToHttp().getRequest<{ actor: Actor; params: Record<string, string> }>();
    const caseId = rule === 'case' || rule === 'dossier' ? request.params?.id : undefined;
    const state = caseId ? (await this.cases.load(caseId)).state : null;
    // An unknown case is left to the handler, which answers 404.
    if (state && state.status === 'none') return true;
    authorizeRead(rule, state, request.actor, this.directory);
    return true;
  }
}
