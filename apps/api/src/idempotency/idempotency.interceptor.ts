import { CallHandler, ExecutionContext, HttpStatus, Inject, Injectable, Logger, NestInterceptor, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash } from 'node:crypto';
import { FastifyReply, FastifyRequest } from 'fastify';
import { catchError, concatMap, defer, from, mergeAll, Observable, of, throwError } from 'rxjs';
import { Actor } from '@civicloop/domain';
import { ApiError } from '../common/api-error';
import { Clock, CLOCK } from '@civicloop/platform';
import { IdempotencyStore } from './idempotency.store';

/** JSON with keys sorted, so the same body in another key order counts as the same body. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

const NOT_REPLAYED = 'civicloop:not-replayed';
/**
 * An answer that must never be kept for replay: it carries personal data, which would then sit in
 * plain text in the idempotency store and be replayed after the case's data was erased. A retry
 * runs (and is recorded) again.
 */
export const NotReplayed = () => SetMetadata(NOT_REPLAYED, true);

@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly log = new Logger('Idempotency');

  constructor(
    private readonly store: IdempotencyStore, @Inject(CLOCK) private readonly clock: Clock, private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest & { actor?: Actor }>();
    const response = context.switchToHttp().getResponse<FastifyReply>();
    const header = request.headers['idempotency-key'];
    const key = typeof header === 'string' ? header : undefined;
    if (request.method !== 'POST' || !key || this.reflector.get<boolean>(NOT_REPLAYED, context.getHandler())) return next.handle();
    if (key.length > 200) {
      throw ApiError.badRequest('VALIDATION_FAILED', 'Idempotency-Key is too long', [
        { field: 'Idempotency-Key', problem: 'must be at most 200 characters' },
      ]);
    }
    const scope = `${request.actor?.id ?? 'anonymous'}\u0000${key}`;
    const fingerprint = createHash('sha256')
      .update(`${request.method} ${request.url.split('?')[0]}\n${canonical(request.body)}`)
      .digest('hex');
    return defer(async () => {
      const previous = await this.unlessUnavailable(this.store.find(scope));
      if (previous) return this.replay(previous, fingerprint, response);
      if (!(await this.unlessUnavailable(this.store.begin(scope, fingerprint, this.clock.now())))) {
        // the holder may have released or its claim expired in between: then the retry runs it
        const holder = await this.unlessUnavailable(this.store.find(scope));
        return this.replay(holder ?? { fingerprint, status: null, body: null }, fingerprint, response);
      }
      return next.handle().pipe(
        // the answer is stored before it is sent, so a retry right after it is replayed, not refused
        concatMap(async (body) => {
          await this.store.complete(scope, response.statusCode, body)
            .catch((error: Error) => this.log.error(`answer not stored for replay: ${error.message}`));
          return body;
        }),
        catchError((error) => from(this.store.release(scope)
          .catch((failure: Error) => this.log.error(`claim not released: ${failure.message}`)))
          .pipe(concatMap(() => throwError(() => error)))),
      );
    }).pipe(mergeAll());
  }

  /** Without its store the key cannot be honoured: refuse rather than risk running the command twice. */
  private async unlessUnavailable<T>(pending: Promise<T>): Promise<T> {
    try {
      return await pending;
    } catch (error) {
      this.log.error(`idempotency store: ${(error as Error).message}`);
      throw new ApiError(HttpStatus.SERVICE_UNAVAILABLE, 'IDEMPOTENCY_UNAVAILABLE', 'Idempotency-Key cannot be checked right now; retry later');
    }
  }

  private replay(previous: { fingerprint: string; status: number | null; body: unknown }, fingerprint: string, response: FastifyReply) {
    if (previous.fingerprint !== fingerprint) {
      throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'IDEMPOTENCY_KEY_REUSED',
        'this Idempotency-Key was already used with another request body or path');
    }
    if (previous.status === null) {
      throw new ApiError(HttpStatus.CONFLICT, 'IDEMPOTENCY_KEY_IN_FLIGHT', 'a request with this Idempotency-Key is still being handled');
    }
    response.status(previous.status);
    response.header('Idempotent-Replayed', 'true');
    return of(previous.body);
  }
}
