import 'reflect-metadata';
import { Body, Controller, Get, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { NestExpressApplication } from '@nestjs/platform-express';

/**
 * The baseline of the command path: NestJS answering without doing anything, with the API's body
 * limit. BARE_ADAPTER=fastify (default) is the API's adapter (apps/api/src/bootstrap.ts);
 * BARE_ADAPTER=express the body parser the API used before Fastify, for comparison.
 */
@Controller()
class NoopController {
  @Post('noop')
  noop(@Body() _body: unknown) {
    return { ok: true };
  }

  @Get('health')
  health() {
    return { status: 'ok' };
  }
}

@Module({ controllers: [NoopController] })
class BareModule {}

async function create() {
  const logger: ('warn' | 'error')[] = ['warn', 'error'];
  if (process.env.BARE_ADAPTER === 'express') {
    const app = await NestFactory.create<NestExpressApplication>(BareModule, { logger });
    app.disable('x-powered-by');
    app.useBodyParser('json', { limit: '64kb' });
    return app;
  }
  return NestFactory.create<NestFastifyApplication>(BareModule, new FastifyAdapter({ bodyLimit: 64 * 1024 }), { logger });
}

async function main(): Promise<void> {
  const app = await create();
  app.enableShutdownHooks();
  await app.listen(Number(process.env.PORT ?? 3999), '0.0.0.0');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
