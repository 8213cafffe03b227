import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { FastifyReply } from 'fastify';
import { CaseRefused, RefusalKind } from '@civicloop/domain';
import { ConcurrencyError, StoreUnavailable } from '@civicloop/event-store';
import { ApiErrorBody } from './api-error';

const STATUS_BY_KIND: Record<RefusalKind, HttpStatus> = {
  invalid: HttpStatus.BAD_REQUEST,
  conflict: HttpStatus.CONFLICT,
  forbidden: HttpStatus.FORBIDDEN,
  not_found: HttpStatus.NOT_FOUND,
};

const CODE_BY_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE',
  429: 'TOO_MANY_REQUESTS',
};

/** Maps every failure to one body shape; only a genuine bug becomes a 500. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');
  /** When each cause of an event-store outage was last logged: a cause is logged again only after a minute. */
  private readonly outagesLogged = new Map<string, number>();

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<FastifyReply>();
    if (exception instanceof StoreUnavailable) {
      this.logOutage(exception);
      response.header('Retry-After', String(exception.retryAfterSeconds));
      void response.status(HttpStatus.SERVICE_UNAVAILABLE).send(storeUnavailableBody(exception));
      return;
    }
    const [status, body] = this.toResponse(exception);
    // A deliberate 5xx (503 while a dependency is down) is logged where its cause is known, once
    // per outage; a stack trace on every request of it would bury the genuine bugs.
    if (status >= 500 && !(exception instanceof HttpException)) this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    if (status === HttpStatus.TOO_MANY_REQUESTS) setRetryAfter(response);
    void response.status(status).send(body);
  }

  private logOutage(exception: StoreUnavailable): void {
    const cause = exception.code ?? (exception.outcomeUnknown ? 'writer stopped' : exception.reason.slice(0, 80));
    const now = Date.now();
    const last = this.outagesLogged.get(cause);
    if (last !== undefined && now - last < 60_000) return;
    if (this.outagesLogged.size >= 32) this.outagesLogged.clear(); // causes are few; never a growing map
    this.outagesLogged.set(cause, now);
    this.logger.warn(`${exception.message}${exception.outcomeUnknown ? ' (the append may have been recorded)' : ''}`);
  }

  private toResponse(exception: unknown): [number, ApiErrorBody] {
    if (exception instanceof CaseRefused) {
      const body: ApiErrorBody = { code: exception.code, message: exception.message };
      if (exception.field) body.fields = [{ field: exception.field, problem: exception.message }];
      return [STATUS_BY_KIND[exception.kind], body];
    }
    if (exception instanceof ConcurrencyError) {
      return [HttpStatus.CONFLICT, { code: 'CONCURRENCY_CONFLICT', message: 'the case changed while this command was decided; read it again and retry' }];
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const raw = exception.getResponse();
      if (typeof raw === 'object' && raw !== null && 'code' in raw) return [status, raw as ApiErrorBody];
      const message = typeof raw === 'string' ? raw : String((raw as { message?: unknown }).message ?? exception.message);
      return [status, { code: CODE_BY_STATUS[status] ?? `HTTP_${status}`, message }];
    }
    const bodyParserStatus = (exception as { status?: number; type?: string })?.status;
    if (typeof bodyParserStatus === 'number' && bodyParserStatus >= 400 && bodyParserStatus < 500) {
      return [bodyParserStatus, { code: CODE_BY_STATUS[bodyParserStatus] ?? 'BAD_REQUEST', message: (exception as Error).message }];
    }
    return [HttpStatus.INTERNAL_SERVER_ERROR, { code: 'INTERNAL_ERROR', message: 'internal error' }];
  }
}

/** The store could not take the command now; when it stopped mid-write the command may have been recorded. */
function storeUnavailableBody(exception: StoreUnavailable): ApiErrorBody {
  return exception.outcomeUnknown
    ? { code: 'STORE_UNAVAILABLE', message: 'the event store stopped while this command was being written: it may have been recorded; read the case before retrying' }
    : { code: 'STORE_UNAVAILABLE', message: 'the event store cannot take commands right now; retry shortly' };
}

/**
 * The throttler names its wait per limit (Retry-After-intake-per-user, …); clients and proxies
 * read the standard header, so it carries the longest of them.
 */
function setRetryAfter(response: FastifyReply): void {
  const waits = Object.entries(response.getHeaders())
    .filter(([name]) => name.startsWith('retry-after-'))
    .map(([, value]) => Number(value))
    .filter((seconds) => Number.isFinite(seconds) && seconds >= 0);
  if (waits.length && !response.getHeader('retry-after')) response.header('Retry-After', String(Math.ceil(Math.max(...waits))));
}
