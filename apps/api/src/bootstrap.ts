import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { validationPipe } from './common/validation';
import { boundedJsonBodies, MAX_BODY_BYTES, onlyJsonBodies } from './common/body-rules';
import { serveConsole } from './console/serve-console';
import { InfrastructureOptions } from '@civicloop/platform';

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
  // bodyParser off: Nest would add a urlencoded parser too; only the JSON one below is wanted
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(options, logger === false ? 'silent' : undefined), {
    bodyParser: false,
    bufferLogs: logger !== false,
    logger: logger === false ? false : undefined,
  });
  // Nest's own log calls (Logger.log, new Logger(context)) go through pino as JSON lines too.
  if (logger !== false) app.useLogger(app.get(Logger));
  const { config } = options;
  app.disable('x-powered-by');
  app.set('trust proxy', config.TRUST_PROXY === 'true' ? true : config.TRUST_PROXY === 'false' ? false : config.TRUST_PROXY);
  app.use(helmet());
  const origins = config.CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean);
  if (origins.length) app.enableCors({ origin: origins, allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'x-correlation-id'] });
  app.use(onlyJsonBodies);
  app.useBodyParser('json', { limit: MAX_BODY_BYTES });
  app.use(boundedJsonBodies);
  app.useGlobalPipes(validationPipe);
  serveConsole(app);
  app.enableShutdownHooks();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, openApiConfig()));
  return app;
}
