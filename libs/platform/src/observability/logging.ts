import { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { Params } from 'nestjs-pino';
import { stdSerializers, stdTimeFunctions } from 'pino';
import { AppConfig } from '../app-config';

/** Longest X-Correlation-Id taken from a caller; a longer one is replaced by a fresh id. */
export const MAX_CORRELATION_ID = 200;

/**
 * What the HTTP layer links to the raw request for its log line (apps/api fastify-request.ts): the
 * framework's request, read only when the line is written, once the route is known and the guard
 * has named the actor.
 */
export const REQUEST_LOG_SOURCE: unique symbol = Symbol('civicloop.requestLogSource');
export interface RequestLogSource {
  /** A symbol key: no serialiser or line that walks the raw request's own keys reaches the body or token through it. */
  [REQUEST_LOG_SOURCE]?: { routeOptions?: { url?: unknown }; actor?: { id?: unknown } };
}

/** pino-http binds the raw request to a per-request child logger that no line of ours writes out. */
const dropRequestBinding = (): undefined => undefined;

/** The caller's X-Correlation-Id when usable, else a fresh one (the HTTP server's request id). */
export function correlationIdFor(request: IncomingMessage): string {
  const given = request.headers['x-correlation-id'];
  return typeof given === 'string' && given.length > 0 && given.length <= MAX_CORRELATION_ID ? given : randomUUID();
}

/** Where the server has not named the request already: its correlation id, answered back in the same header. */
function correlationIdOf(request: IncomingMessage, response: ServerResponse): string {
  const id = correlationIdFor(request);
  response.setHeader('x-correlation-id', id);
  return id;
}

/** The request line: never headers (tokens) or bodies (personal data); the route pattern, not the URL. */
function requestLine(request: IncomingMessage, response: ServerResponse, fields: { durationMs?: unknown }) {
  const linked: IncomingMessage & RequestLogSource = request;
  const source = linked[REQUEST_LOG_SOURCE];
  const route = typeof source?.routeOptions?.url === 'string' ? source.routeOptions.url : undefined;
  return {
    method: request.method,
    route: route ?? (request.url ?? '').split('?')[0],
    status: response.statusCode,
    durationMs: fields.durationMs,
    actorId: typeof source?.actor?.id === 'string' ? source.actor.id : undefined,
  };
}

/**
 * One JSON object per line on stdout (no colours, so files and log shippers read it as is). Every
 * line written while a request is handled carries its `correlationId`, the same id the command
 * stores in its events' metadata (see apps/api/src/common/command-context.decorator.ts).
 */
export function loggingParams(config: Pick<AppConfig, 'LOG_LEVEL'>): Params {
  return {
    pinoHttp: {
      level: config.LOG_LEVEL,
      timestamp: stdTimeFunctions.isoTime,
      genReqId: correlationIdOf,
      customAttributeKeys: { reqId: 'correlationId', responseTime: 'durationMs' },
      quietReqLogger: true,
      quietResLogger: true,
      customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
      customSuccessObject: requestLine,
      customErrorObject: (req, res, error, fields) => ({ ...requestLine(req, res, fields), err: error }),
      customSuccessMessage: () => 'request',
      customErrorMessage: () => 'request failed',
      // pino-http serialises the whole raw request (headers, then redaction) into a child logger per
      // request even when, as here, no line uses it: ~5% of a request's CPU. Errors keep pino's serialiser.
      wrapSerializers: false,
      serializers: { req: dropRequestBinding, err: stdSerializers.err },
      // Belt and braces: nothing above logs headers, but a future serializer must not leak a token.
      redact: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'headers.cookie'],
    },
  };
}
