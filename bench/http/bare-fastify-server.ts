import 'reflect-metadata';
import { Body, Controller, Get, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * The baseline of the command path: NestJS on the same Fastify adapter and body limit as the API
 * (apps/api/src/bootstrap.ts), answering without doing anything. bare-server.ts is the same on Express.
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

async function main(): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(BareModule, new FastifyAdapter({ bodyLimit: 64 * 1024 }), { logger: ['warn', 'error'] });
  app.enableShutdownHooks();
  await app.listen(Number(process.env.PORT ?? 3999), '0.0.0.0');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
