import { CallHandler, ExecutionContext, HttpStatus, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Request, Response } from 'express';
import { Observable, of, tap } from 'rxjs';
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

@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly store: IdempotencyStore, @Inject(CLOCK) private readonly clock: Clock) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request & { actor?: Actor }>();
    const response = context.switchToHttp().getResponse<Response>();
    const key = request.header('idempotency-key');
    if (request.method !== 'POST' || !key) return next.handle();
    if (key.length > 200) {
      throw ApiError.badRequest('VALIDATION_FAILED', 'Idempotency-Key is too long', [
        { field: 'Idempotency-Key', problem: 'must be at most 200 characters' },
      ]);
    }
    const scope = `${request.actor?.id ?? 'anonymous'}\u0000${key}`;
    const fingerprint = createHash('sha256')
      .update(`${request.method} ${request.originalUrl.split('?')[0]}\n${canonical(request.body)}`)
      .digest('hex');
    const previous = this.store.find(scope);
    if (previous) return this.replay(previous, fingerprint, response);
    if (!this.store.begin(scope, fingerprint, this.clock.now())) {
      return this.replay(this.store.find(scope)!, fingerprint, response);
    }
    return next.handle().pipe(
      tap({
        next: (body) => this.store.complete(scope, response.statusCode, body),
        error: () => this.store.release(scope),
      }),
    );
  }

  private replay(previous: { fingerprint: string; status: number | null; body: unknown }, fingerprint: string, response: Response) {
    if (previous.fingerprint !== fingerprint) {
      throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'IDEMPOTENCY_KEY_REUSED',
        'this Idempotency-Key was already used with another request body or path');
    }
    if (previous.status === null) {
      throw new ApiError(HttpStatus.CONFLICT, 'IDEMPOTENCY_KEY_IN_FLIGHT', 'a request with this Idempotency-Key is still being handled');
    }
    response.status(previous.status);
    response.setHeader('Idempotent-Replayed', 'true');
    return of(previous.body);
  }
}
