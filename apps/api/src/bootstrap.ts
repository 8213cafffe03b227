import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { validationPipe } from './common/validation';
import { boundedJsonBodies, MAX_BODY_BYTES, onlyJsonBodies } from './common/body-rules';
import { answerCorrelationId, exposeToRequestLog, trustProxyOf } from './common/fastify-request';
import { securityHeaders } from './common/security-headers';
import { serveConsole } from './console/serve-console';
import { correlationIdFor, InfrastructureOptions } from '@civicloop/platform';

/** The OpenAPI document's header; served at /docs and written by `cli/openapi.ts` for the console's types. */
export function openApiConfig() {
  return new DocumentBuilder()
    .setTitle('civicloop')
    .setDescription('Closed-loop handling of residents\' issues: intake, dispatch, escalation, whistles, supervision, rating.')
    .setVersion('0.1.0')
    .addBearerAuth()
    .build();
}

/** Builds the HTTP application; main.ts listens, tests listen on a free port. */
export async function createApp(options: InfrastructureOptions, logger: false | undefined = undefined): Promise<INestApplication> {
  const { config } = options;
  // Fastify parses JSON only (bodyParser off: Nest would register a form parser too), refuses a body
  // over the limit with 413, and leaves prototype keys to boundedJsonBodies, which names the field.
  const adapter = new FastifyAdapter({
    bodyLimit: MAX_BODY_BYTES,
    trustProxy: trustProxyOf(config.TRUST_PROXY),
    onProtoPoisoning: 'ignore',
    onConstructorPoisoning: 'ignore',
    // as Express did: /cases/ is /cases
    routerOptions: { ignoreTrailingSlash: true },
    // the request's id is its correlation id: the request log line, the command and its events share it
    genReqId: correlationIdFor,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(options, logger === false ? 'silent' : undefined), adapter, {
    bodyParser: false,
    bufferLogs: logger !== false,
    logger: logger === false ? false : undefined,
  });
  // Nest's own log calls (Logger.log, new Logger(context)) go through pino as JSON lines too.
  if (logger !== false) app.useLogger(app.get(Logger));
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', securityHeaders());
  const origins = config.CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean);
  if (origins.length) app.enableCors({ origin: origins, allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'x-correlation-id'] });
  fastify.addHook('onRequest', onlyJsonBodies);
  fastify.addHook('onRequest', exposeToRequestLog);
  fastify.addHook('onRequest', answerCorrelationId);
  fastify.addHook('preValidation', boundedJsonBodies);
  app.useGlobalPipes(validationPipe);
  await serveConsole(app);
  app.enableShutdownHooks();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, openApiConfig()));
  return app;
}
