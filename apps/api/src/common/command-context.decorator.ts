import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Request } from 'express';
import { Actor } from '@civicloop/domain';
import { CommandContext } from '@civicloop/cases';

/** Builds the command's identity: a fresh command id, correlated by X-Correlation-Id when given. */
export const CommandMeta = createParamDecorator((_: unknown, context: ExecutionContext): CommandContext => {
  const request = context.switchToHttp().getRequest<Request & { actor: Actor }>();
  const commandId = randomUUID();
  const correlation = request.header('x-correlation-id');
  return {
    actor: request.actor,
    commandId,
    correlationId: correlation && correlation.length <= 200 ? correlation : commandId,
    causationId: commandId,
  };
});
