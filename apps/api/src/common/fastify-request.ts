import { FastifyReply, FastifyRequest } from 'fastify';
import { Actor } from '@civicloop/domain';
import { REQUEST_LOG_SOURCE, RequestLogSource } from '@civicloop/platform';

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
 * Fastify keeps neither the route pattern nor the actor the guard sets later: the raw request gets
 * a link to Fastify's, read when the line is written, so the line names the route and who asked.
 * One plain property, not accessors defined per request (Object.defineProperties on every
 * IncomingMessage cost ~3% of a refused request's CPU).
 */
export async function exposeToRequestLog(request: FastifyRequest & { actor?: Actor }): Promise<void> {
  const raw: typeof request.raw & RequestLogSource = request.raw;
  raw[REQUEST_LOG_SOURCE] = request;
}

/** The correlation id (the request's id, see bootstrap.ts) is answered back, so a caller can quote it. */
export async function answerCorrelationId(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  reply.header('x-correlation-id', request.id);
}
