import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';
import { inSpan, SpanKind, tracingOn } from '@civicloop/platform';

interface TracedRequest {
  method: string;
  url: string;
  id?: unknown;
  /** Express's matched route. */
  route?: { path?: unknown };
  /** Fastify's matched route. */
  routeOptions?: { url?: unknown };
}
interface TracedResponse {
  statusCode?: number;
}

/**
 * One server span per HTTP request, around the guards' verdict and the handler (the command, its
 * append), named by method and route template, never by the URL's ids or query. While tracing is
 * off it hands the request straight on.
 */
@Injectable()
export class TracingInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!tracingOn() || context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<TracedRequest>();
    const template = request.routeOptions?.url ?? request.route?.path;
    const route = typeof template === 'string' ? template : request.url.split('?')[0];
    const attributes = {
      'http.request.method': request.method, 'http.route': route,
      ...(typeof request.id === 'string' && { 'civicloop.correlation_id': request.id }),
    };
    return new Observable((subscriber) => {
      void inSpan(`${request.method} ${route}`, { kind: SpanKind.SERVER, attributes }, (span) => new Promise<void>((done) => {
        // Subscribed inside the span: the handler's promises run in its context (the gate's spans become its children).
        next.handle().subscribe({
          next: (value) => subscriber.next(value),
          error: (error: unknown) => {
            span?.setAttribute('http.response.status_code', statusOf(error));
            subscriber.error(error);
            done();
          },
          complete: () => {
            span?.setAttribute('http.response.status_code', http.getResponse<TracedResponse>().statusCode ?? 200);
            subscriber.complete();
            done();
          },
        });
      }));
    });
  }
}

function statusOf(error: unknown): number {
  if (error && typeof error === 'object' && 'getStatus' in error && typeof error.getStatus === 'function') {
    const status: unknown = error.getStatus();
    if (typeof status === 'number') return status;
  }
  return 500;
}
