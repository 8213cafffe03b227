import 'reflect-metadata';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SwaggerModule } from '@nestjs/swagger';
import { loadConfig } from '@civicloop/platform';
import { createApp, openApiConfig } from '../bootstrap';

/**
 * Writes the service's OpenAPI document (the one served at /docs) to a file without listening:
 * the console's API types are generated from it, so a contract change breaks the console's build.
 */
async function main(): Promise<void> {
  const out = process.argv[2];
  if (!out) throw new Error('usage: openapi <output.json>');
  const dataDir = mkdtempSync(join(tmpdir(), 'civicloop-openapi-'));
  try {
    const app = await createApp({ config: loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, WORKER_IN_PROCESS: 'false' }) }, false);
    await app.init();
    writeFileSync(out, `${JSON.stringify(SwaggerModule.createDocument(app, openApiConfig()), null, 2)}\n`);
    await app.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
