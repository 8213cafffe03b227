import '../../apps/api/src/gc-settings'; // the reads below run under the service's GC settings
import Database from 'better-sqlite3';
import { NestFactory } from '@nestjs/core';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaseRepository, toCaseView } from '@civicloop/cases';
import { Directory } from '@civicloop/directory';
import { SqliteEventStore } from '@civicloop/event-store';
import { InfrastructureModule, loadConfig, ManualClock } from '@civicloop/platform';
import { demoUser, signToken } from '../../apps/api/src/cli/token';
import { simulateDistrict } from '../../apps/simulator/src/simulate';
import { API_MAIN, API_NODE_ARGS, figure, Figure, percentile, round, writeResult } from '../harness/result';
import { startServer } from '../harness/server';
import { caseWithEvents, WritePathModule } from './case-fixture';
import { productionDirectoryFile } from '../harness/production-directory';

const ITERATIONS = Number(process.env.BENCH_READ_ITERATIONS ?? 3000);
const HTTP_ITERATIONS = Number(process.env.BENCH_READ_HTTP_ITERATIONS ?? 1000);
const BACKGROUND_CASES = Number(process.env.BENCH_READ_BACKGROUND_CASES ?? 1000);
const START = new Date('2026-10-01T00:00:00+08:00');

function timeMs<T>(fn: () => T | Promise<T>, iterations: number): Promise<number[]> {
  return (async () => {
    for (let i = 0; i < Math.min(200, iterations); i++) await fn(); // warm-up
    const samples: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const began = process.hrtime.bigint();
      await fn();
      samples.push(Number(process.hrtime.bigint() - began) / 1e6);
    }
    return samples.sort((a, b) => a - b);
  })();
}

const p = (s: number[], q: number) => round(percentile(s, q), 3);

async function main(): Promise<void> {
  // The in-process reads measure the service's code: run them under the V8 flags it ships with
  // (scripts/run.sh: heap cap and young space, which set the garbage collector's pauses).
  if (API_NODE_ARGS.some((flag) => !process.execArgv.includes(flag))) {
    const child = spawnSync(process.execPath, [...process.execArgv, ...API_NODE_ARGS, __filename], { stdio: 'inherit' });
    process.exitCode = child.status ?? 1;
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'civicloop-bench-read-'));
  const secret = randomBytes(32).toString('hex');
  const env = { DATA_DIR: dir, NODE_ENV: 'production', JWT_SECRET: secret, DIRECTORY_FILE: productionDirectoryFile(dir), WORKER_IN_PROCESS: 'false' };
  const config = loadConfig(env);
  const figures: Figure[] = [];
  try {
    // A district's month around the two measured cases, so the reads go through a populated index.
    const background = await simulateDistrict({ config, seed: 1, cases: BACKGROUND_CASES, days: 30, start: START });
    const clock = new ManualClock(new Date(background.end));
    await caseWithEvents(config, clock, 'bench-case-20', 20);
    // Each command moves the clock one minute: half-way through the 200-event case is revision ~99.
    const midpoint = new Date(clock.now().getTime() + 100.5 * 60_000).toISOString();
    await caseWithEvents(config, clock, 'bench-case-200', 200);

    const app = await NestFactory.createApplicationContext(
      { module: WritePathModule, imports: [InfrastructureModule.forRoot({ config }), WritePathModule] }, { logger: ['error'] },
    );
    const raw = new Database(config.eventStoreFile, { readonly: true });
    const rawRead = raw.prepare('SELECT * FROM events WHERE stream_id = ? AND revision <= ? ORDER BY revision');
    try {
      const cases = app.get(CaseRepository);
      const baseline = 'raw better-sqlite3 SELECT of the same rows (no JSON parse, no fold)';
      for (const events of [20, 200]) {
        const caseId = `bench-case-${events}`;
        const loaded = await cases.load(caseId);
        if (loaded.revision !== events - 1) throw new Error(`${caseId} has ${loaded.revision + 1} events, not ${events}`);
        const read = await timeMs(async () => { const l = await cases.load(caseId); return toCaseView(l.state, l.revision); }, ITERATIONS);
        const floor = await timeMs(() => rawRead.all(`case-${caseId}`, Number.MAX_SAFE_INTEGER), ITERATIONS);
        figures.push(
          figure({ figure: `read ${events}-event case (load + fold + view), p50`, unit: 'ms', value: p(read, 50), baseline, baselineValue: p(floor, 50) }),
          figure({ figure: `read ${events}-event case (load + fold + view), p99`, unit: 'ms', value: p(read, 99), baseline, baselineValue: p(floor, 99) }),
        );
      }
      const replayRevision = await timeMs(() => cases.load('bench-case-200', { toRevision: 99 }), ITERATIONS);
      const floor100 = await timeMs(() => rawRead.all('case-bench-case-200', 99), ITERATIONS);
      const replayTime = await timeMs(() => cases.load('bench-case-200', { toTime: midpoint }), ITERATIONS);
      figures.push(
        figure({ figure: 'asOf replay of the 200-event case to revision 99, p50', unit: 'ms', value: p(replayRevision, 50), baseline: 'raw SELECT of the first 100 rows', baselineValue: p(floor100, 50) }),
        figure({ figure: 'asOf replay of the 200-event case to revision 99, p99', unit: 'ms', value: p(replayRevision, 99), baseline: 'raw SELECT of the first 100 rows', baselineValue: p(floor100, 99) }),
        figure({ figure: 'asOf replay of the 200-event case to a time half-way through it, p99', unit: 'ms', value: p(replayTime, 99), baseline: 'raw SELECT of all 200 rows (a time cut reads the stream, then stops)', baselineValue: figures[3].baselineValue }),
      );
      // The reads above repeat one case, so after the first they come from the store's stream cache
      // and the repository's last fold. A case read for the first time (or evicted) pays the full
      // price: a store without the cache measures that.
      const coldStore = new SqliteEventStore(config.eventStoreFile, { cachedEvents: 0 });
      try {
        const cold = new CaseRepository(coldStore, clock);
        const coldRead = await timeMs(async () => { const l = await cold.load('bench-case-200'); return toCaseView(l.state, l.revision); }, ITERATIONS);
        const floor200 = await timeMs(() => rawRead.all('case-bench-case-200', Number.MAX_SAFE_INTEGER), ITERATIONS);
        const label = 'read 200-event case, cold (no stream cache: SELECT + JSON.parse + full fold + view)';
        figures.push(
          figure({ figure: `${label}, p50`, unit: 'ms', value: p(coldRead, 50), baseline, baselineValue: p(floor200, 50) }),
          // The target is for a case missing the cache ("cold reads").
          figure({ figure: `${label}, p99`, unit: 'ms', value: p(coldRead, 99), baseline, baselineValue: p(floor200, 99), target: '<= 2 ms', met: p(coldRead, 99) <= 2 }),
        );
      } finally {
        await coldStore.close();
      }
    } finally {
      raw.close();
      await app.close();
    }

    // The same reads over HTTP, one request at a time, beside a bare NestJS GET.
    const api = await startServer(API_MAIN, env, '/health', API_NODE_ARGS);
    const bare = await startServer(join(__dirname, '..', 'http', 'bare-server.js'), { BARE_ADAPTER: 'fastify' });
    try {
      const token = signToken(secret, demoUser(Directory.fromFile(config.DIRECTORY_FILE), 'auditor'), '1h');
      const get = (url: string) => async () => {
        const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
        if (response.status !== 200) throw new Error(`GET ${url}: ${response.status}`);
        await response.arrayBuffer();
      };
      const bareGet = await timeMs(get(`${bare.url}/health`), HTTP_ITERATIONS);
      for (const [label, path] of [['20-event case', '/cases/bench-case-20'], ['200-event case', '/cases/bench-case-200'], ['200-event case asOf=99', '/cases/bench-case-200?asOf=99']]) {
        const samples = await timeMs(get(`${api.url}${path}`), HTTP_ITERATIONS);
        figures.push(
          figure({ figure: `HTTP GET ${label}, 1 connection, p50`, unit: 'ms', value: p(samples, 50), baseline: 'bare NestJS GET on the same Fastify adapter, same client', baselineValue: p(bareGet, 50) }),
          figure({ figure: `HTTP GET ${label}, 1 connection, p99`, unit: 'ms', value: p(samples, 99), baseline: 'bare NestJS GET on the same Fastify adapter, same client', baselineValue: p(bareGet, 99) }),
        );
      }
    } finally {
      await api.stop();
      await bare.stop();
    }
    const file = writeResult({
      name: 'case-read',
      settings: {
        iterations: ITERATIONS, httpIterations: HTTP_ITERATIONS, warmUp: 200, backgroundCases: BACKGROUND_CASES, backgroundEvents: background.events,
        path: 'in process: CaseRepository.load (SQLite readStream + JSON.parse) + fold + toCaseView, repeated reads of one case served by the stream cache and the last fold, the cold figure without the cache; over HTTP: built app, auditor token, worker off',
      },
      figures,
    });
    console.log(`wrote ${file}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
