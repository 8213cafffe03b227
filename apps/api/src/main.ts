import './gc-settings'; // first: see there
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './bootstrap';
import { ConfigInvalid, describeEventStore, JwtSecretUnsafe, loadConfig } from '@civicloop/platform';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp({ config });
  await app.listen(config.PORT, config.HOST);
  Logger.log(`civicloop API on ${config.HOST}:${config.PORT} (events: ${describeEventStore(config)})`, 'Bootstrap');
}

main().catch((error) => {
  console.error(error instanceof ConfigInvalid || error instanceof JwtSecretUnsafe ? error.message : error);
  process.exit(1);
});
