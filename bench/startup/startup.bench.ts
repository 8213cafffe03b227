import 'reflect-metadata';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Directory, DEMO_DIRECTORY_FILE } from '@civicloop/directory';
import { ALL_PROJECTIONS, CheckpointStore, openReadDatabase } from '@civicloop/read-models';
import { demoUser, signToken } from '../../apps/api/src/cli/token';
import { API_MAIN, API_NODE_ARGS, figure, Figure, percentile, round, ROOT, writeResult } from '../harness/result';
import { productionDirectoryFile } from '../harness/production-directory';
import { startServer, ServerProcess } from '../harness/server';
import { sharedHistory } from '../projections/projections-common';
import { execFileSync } from 'node:child_process';

const EVENTS = Number(process.env.BENCH_STARTUP_EVENTS ?? 1_000_000);
const WINDOW_MS = Number(process.env.BENCH_STARTUP_WINDOW_MS ?? 15_000);
const SECRET = 'startup-bench-secret-0123456789abcdef-0123';
const ELSEWHERE = 'replica-elsewhere';

interface Run {
  startupSeconds: number;
  health: number[];
  caseRead: number[];
  /** Events the projections applied during the window (board's checkpoint), per second. */
  catchUpRate: number;
}

/** Requests one after another (health, then a case) for the window; latencies in ms. */
async function sample(url: string, token: string, positions: () => Promise<number>): Promise<Omit<Run, 'startupSeconds'>> {
  const health: number[] = [];
  const caseRead: number[] = [];
  const from = await positions();
  const began = performance.now();
  while (performance.now() - began < WINDOW_MS) {
    let t = performance.now();
    await (await fetch(`${url}/health`)).arrayBuffer();
    health.push(performance.now() - t);
    t = performance.now();
    const response = await fetch(`${url}/cases/b1`, { headers: { authorization: `Bearer ${token}` } });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`GET /cases/b1 answered ${response.status}`);
    caseRead.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 20));
  }
  const seconds = (performance.now() - began) / 1000;
  return { health: health.sort((a, b) => a - b), caseRead: caseRead.sort((a, b) => a - b), catchUpRate: Math.round(((await positions()) - from) / seconds) };
}

/**
 * One start of the embedded default (worker and projections in the API process) on the log.
 * `held`: another replica holds every projection's lease, so this one does no catch-up (the baseline).
 */
async function start(log: string | null, held: boolean): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'civicloop-bench-startup-'));
  let server: ServerProcess | undefined;
  try {
    if (log) symlinkSync(log, join(dir, 'events.sqlite'));
    const rdb = openReadDatabase({ sqliteFile: join(dir, 'read-models.sqlite') });
    const checkpoints = new CheckpointStore(rdb);
    for (const projection of ALL_PROJECTIONS) {
      await checkpoints.ensureProjection(projection);
      if (held) await checkpoints.tryAcquire(projection.name, ELSEWHERE, 3_600_000);
    }
    const positions = async () => Number((await checkpoints.read('board'))?.position ?? 0);
    const started = performance.now();
    server = await startServer(API_MAIN, {
      DATA_DIR: dir, JWT_SECRET: SECRET, WORKER_IN_PROCESS: 'true', NODE_ENV: 'production', LOG_LEVEL: 'warn', DIRECTORY_FILE: productionDirectoryFile(dir),
    }, '/health', API_NODE_ARGS);
    const startupSeconds = (performance.now() - started) / 1000;
    const token = signToken(SECRET, demoUser(Directory.fromFile(DEMO_DIRECTORY_FILE), 'operator'), '1h');
    const measured = log ? await sample(server.url, token, positions) : { health: [], caseRead: [], catchUpRate: 0 };
    await rdb.close();
    return { startupSeconds, ...measured };
  } finally {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const history = await sharedHistory(Directory.fromFile(DEMO_DIRECTORY_FILE), EVENTS);
  console.log('starting on an empty log (start-up baseline) ...');
  const empty = await start(null, false);
  console.log(`starting on ${history.events} events, projections held elsewhere (baseline) ...`);
  const idle = await start(history.file, true);
  console.log(`starting on ${history.events} events, projections catching up ...`);
  const busy = await start(history.file, false);
  const events = history.events.toLocaleString('en');
  const p99 = (values: number[]) => round(percentile(values, 99), 1);
  const figures: Figure[] = [
    figure({
      figure: `start-up to a listening /health on a ${events}-event log, projections catching up`, unit: 's', value: round(busy.startupSeconds, 1),
      baseline: 'the same start with the projections held by another replica (no catch-up)', baselineValue: round(idle.startupSeconds, 1),
      target: '<= 5 s', met: busy.startupSeconds <= 5,
    }),
    figure({
      figure: `start-up to a listening /health on a ${events}-event log, projections catching up, against an empty log`, unit: 's',
      value: round(busy.startupSeconds, 1), baseline: 'the same start on an empty log (nothing to catch up, nothing to read)', baselineValue: round(empty.startupSeconds, 1),
    }),
    figure({
      figure: 'GET /health p99 during the catch-up', unit: 'ms', value: p99(busy.health),
      baseline: 'GET /health p99 on the same log, no catch-up', baselineValue: p99(idle.health),
    }),
    figure({
      figure: 'GET /cases/{id} p99 during the catch-up', unit: 'ms', value: p99(busy.caseRead),
      baseline: 'GET /cases/{id} p99 on the same log, no catch-up', baselineValue: p99(idle.caseRead),
    }),
  ];
  const file = writeResult({
    name: 'startup',
    settings: {
      commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim(),
      events: history.events, cases: history.cases, windowSeconds: WINDOW_MS / 1000,
      requestsDuringCatchUp: busy.health.length, requestsBaseline: idle.health.length,
      catchUpEventsPerSecondDuringWindow: busy.catchUpRate,
      service: 'dist main, embedded default (SQLite, worker and projections in process, no Redis: deadlines off), NODE_ENV=production',
    },
    figures,
    notes: [
      'Requests go one after another (GET /health, then GET /cases/b1 with an operator token), 20 ms apart, for the window after /health first answered.',
      'The request baseline starts the same service on the same log with every projection lease held by another replica, so the projections do not catch up; the audit chain follower (in the worker) still seals the log in both runs, so both carry its catch-up.',
      'Start-up is measured from spawning the process to the first 200 from /health (polled every 200 ms).',
    ],
  });
  console.log(`wrote ${file}`);
}

if (require.main === module) run().catch((error) => { console.error(error); process.exit(1); });
