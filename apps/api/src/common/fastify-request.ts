import { FastifyReply, FastifyRequest } from 'fastify';
import { Actor } from '@civicloop/domain';

/**
 * TRUST_PROXY as Express read it (README): true, false, a hop count, or addresses and proxy-addr
 * names (`loopback`, `uniquelocal`, …), which Fastify compiles with the same proxy-addr.
 */
export function trustProxyOf(setting: string): boolean | number | string {
  if (setting === 'true') return true;
  if (setting === 'false') return false;
  return /^\d+$/.test(setting) ? Number(setting) : setting;
}

/**
 * The request logger (pino-http, libs/platform logging.ts) sees the raw Node request, where
 * Fastify keeps neither the route pattern nor the actor the guard sets later: expose both there,
 * the actor read when the line is written, so the request line names the route and who asked.
 */
export async function exposeToRequestLog(request: FastifyRequest & { actor?: Actor }): Promise<void> {
  const route = { path: request.routeOptions.url };
  Object.defineProperties(request.raw, {
    route: { value: route, configurable: true },
    actor: { get: () => request.actor, configurable: true },
  });
}

/** The correlation id (the request's id, see bootstrap.ts) is answered back, so a caller can quote it. */
export async function answerCorrelationId(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  reply.header('x-correlation-id', request.id);
}
