import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './bootstrap';
import { ConfigInvalid, describeEventStore, loadConfig } from '@civicloop/platform';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp({ config });
  await app.listen(config.PORT, '0.0.0.0');
  Logger.log(`civicloop API on port ${config.PORT} (events: ${describeEventStore(config)})`, 'Bootstrap');
}

main().catch((error) => {
  console.error(error instanceof ConfigInvalid ? error.message : error);
  process.exit(1);
});
