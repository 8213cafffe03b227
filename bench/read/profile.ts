import { NestFactory } from '@nestjs/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaseRepository, toCaseView } from '@civicloop/cases';
import { SqliteEventStore } from '@civicloop/event-store';
import { InfrastructureModule, loadConfig, ManualClock } from '@civicloop/platform';
import { caseWithEvents, WritePathModule } from './case-fixture';

/**
 * The in-process read of a 200-event case, alone, for `node --cpu-prof`; `cold` reads it past the
 * stream cache and the last fold (every read selects, parses and folds):
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof node_modules/.cache/civicloop-bench/bench/read/profile.js [reads] [cold]
 */
async function main(): Promise<void> {
  const reads = Number(process.argv[2] ?? 20_000);
  const dir = mkdtempSync(join(tmpdir(), 'civicloop-read-profile-'));
  const config = loadConfig({ DATA_DIR: dir, NODE_ENV: 'test', WORKER_IN_PROCESS: 'false' });
  try {
    await caseWithEvents(config, new ManualClock(), 'profiled', 200);
    const app = await NestFactory.createApplicationContext(
      { module: WritePathModule, imports: [InfrastructureModule.forRoot({ config }), WritePathModule] }, { logger: ['error'] },
    );
    const cold = process.argv[3] === 'cold' ? new SqliteEventStore(config.eventStoreFile, { cachedEvents: 0 }) : undefined;
    const cases = cold ? new CaseRepository(cold, new ManualClock()) : app.get(CaseRepository);
    const began = process.hrtime.bigint();
    for (let i = 0; i < reads; i++) {
      const loaded = await cases.load('profiled');
      toCaseView(loaded.state, loaded.revision);
    }
    console.log(`${reads} reads, ${(Number(process.hrtime.bigint() - began) / 1e6 / reads).toFixed(3)} ms each on average`);
    await cold?.close();
    await app.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
