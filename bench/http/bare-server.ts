import 'reflect-metadata';
import { Body, Controller, Get, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';

/** The Express baseline: NestJS on Express with the body parser the API used before Fastify, answering without doing anything. */
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

async function main(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(BareModule, { logger: ['warn', 'error'] });
  app.disable('x-powered-by');
  app.useBodyParser('json', { limit: '64kb' });
  app.enableShutdownHooks();
  await app.listen(Number(process.env.PORT ?? 3999), '0.0.0.0');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
