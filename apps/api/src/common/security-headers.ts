import { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import helmet from 'helmet';

/**
 * helmet's default headers on every answer, as an onRequest hook. Not @fastify/helmet: that plugin
 * calls `helmet(options)` on each request, building all its middlewares and the CSP string again
 * (~2–3% of a command's time); this builds them once. Same headers, same place in the hook order.
 */
export function securityHeaders(): (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void {
  const setHeaders = helmet();
  return (request, reply, done) => setHeaders(request.raw, reply.raw, (error) => done(error instanceof Error ? error : undefined));
}
