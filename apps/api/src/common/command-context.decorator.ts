import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { FastifyRequest } from 'fastify';
import { Actor } from '@civicloop/domain';
import { CommandContext } from '@civicloop/cases';
import { MAX_CORRELATION_ID } from '@civicloop/platform';

/**
 * Builds the command's identity: a fresh command id, correlated by the request's id, which the
 * server took from X-Correlation-Id (or generated) as the request's id (bootstrap.ts), so the request line, the command's
 * log lines and its events' metadata share one correlation id.
 */
export const CommandMeta = createParamDecorator((_: unknown, context: ExecutionContext): CommandContext => {
  const request = context.switchToHttp().getRequest<FastifyRequest & { actor: Actor }>();
  const commandId = randomUUID();
  const logged = typeof request.id === 'string' ? request.id : undefined;
  const header = request.headers['x-correlation-id'];
  const given = typeof header === 'string' && header.length <= MAX_CORRELATION_ID ? header : undefined;
  return {
    actor: request.actor,
    commandId,
    correlationId: logged ?? given ?? commandId,
    causationId: commandId,
  };
});
