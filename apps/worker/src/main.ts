import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoLogger } from 'nestjs-pino';
import { ConfigInvalid, describeEventStore, loadConfig } from '@civicloop/platform';
import { WorkerAppModule } from './worker-app.module';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await NestFactory.createApplicationContext(WorkerAppModule.forRoot({ config }), { bufferLogs: true });
  app.useLogger(app.get(PinoLogger));
  // SIGTERM/SIGINT close modules in order, so consumers finish their batch and store their checkpoint.
  app.enableShutdownHooks();
  Logger.log(`civicloop worker started (events: ${describeEventStore(config)})`, 'Bootstrap');
}

main().catch((error) => {
  console.error(error instanceof ConfigInvalid ? error.message : error);
  process.exit(1);
});
