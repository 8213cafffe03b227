import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Directory } from '@civicloop/directory';
import { loadConfig } from '@civicloop/platform';
import { demoUser, signToken } from '../../apps/api/src/cli/token';
import { API_MAIN, API_NODE_ARGS, figure, Figure, round, writeResult } from '../harness/result';
import { load, LoadResult } from '../harness/load';
import { startServer } from '../harness/server';
import { INTAKE_BODY } from './intake-body';
import { productionDirectoryFile } from '../harness/production-directory';

const CONNECTIONS = 32;
const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 10);
const BARE = join(__dirname, 'bare-server.js');

const COMPANY = 'company-jinling'; // serves compound-01

type Measured = LoadResult & { okPerSecond: number };

function checkClean(label: string, r: Measured): string[] {
  const bad = r.non2xx + r.errors + r.timeouts;
  return bad ? [`${label}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts (${JSON.stringify(r.statusCodeStats)})`] : [];
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'civicloop-bench-http-'));
  const secret = randomBytes(32).toString('hex');
  // The intake rate limits guard against abuse by one user; here one user is the load generator.
  const env = { DATA_DIR: dataDir, NODE_ENV: 'production', JWT_SECRET: secret, DIRECTORY_FILE: productionDirectoryFile(dataDir), INTAKE_LIMIT_PER_USER: '100000000', INTAKE_LIMIT_PER_IP: '100000000' };
  const directory = Directory.fromFile(loadConfig(env).DIRECTORY_FILE);
  const auth = (role: 'operator' | 'handler', org?: string) => `Bearer ${signToken(secret, demoUser(directory, role, org), '1h')}`;
  const json = { 'content-type': 'application/json' };
  const notes: string[] = [];
  const api = await startServer(API_MAIN, env, '/health', API_NODE_ARGS);
  let intake: Measured;
  let accept: Measured;
  let apiPeakRss: number;
  try {
    const operator = { ...json, authorization: auth('operator') };
    const ids: string[] = [];
    const intakeRequest = { method: 'POST', path: '/cases', headers: operator, body: INTAKE_BODY, onResponse: (status: number, body: string) => { if (status === 201) ids.push(JSON.parse(body).id); } };
    await load({ url: api.url, connections: CONNECTIONS, duration: 2, requests: [intakeRequest] }); // warm-up
    ids.length = 0;
    intake = await load({ url: api.url, connections: CONNECTIONS, duration: SECONDS, requests: [intakeRequest] });
    notes.push(...checkClean('intake', intake));

    // Not measured: put every case received above in the company's queue, so each accept has one to sign for.
    let next = 0;
    const dispatched = await load({
      url: api.url, connections: CONNECTIONS, amount: ids.length,
      requests: [{ method: 'POST', headers: operator, body: JSON.stringify({ assigneeId: COMPANY, tier: 'grid' }), setupRequest: (r) => ({ ...r, path: `/cases/${ids[next++]}/dispatch` }) }],
    });
    notes.push(...checkClean('dispatch (preparation)', dispatched));
    next = 0;
    accept = await load({
      url: api.url, connections: CONNECTIONS, amount: ids.length,
      requests: [{ method: 'POST', headers: { ...json, authorization: auth('handler', COMPANY) }, body: '{}', setupRequest: (r) => ({ ...r, path: `/cases/${ids[next++]}/accept` }) }],
    });
    notes.push(...checkClean('accept', accept));
    apiPeakRss = api.peakRssMb();
  } finally {
    await api.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }

  const bare = await startServer(BARE, {});
  let noop: Measured;
  let barePeakRss: number;
  try {
    const request = { method: 'POST', path: '/noop', headers: json, body: INTAKE_BODY };
    await load({ url: bare.url, connections: CONNECTIONS, duration: 2, requests: [request] });
    noop = await load({ url: bare.url, connections: CONNECTIONS, duration: SECONDS, requests: [request] });
    notes.push(...checkClean('bare', noop));
    barePeakRss = bare.peakRssMb();
  } finally {
    await bare.stop();
  }

  const baseline = `bare NestJS POST /noop (same Express body parser, no work), ${CONNECTIONS} connections`;
  const rows: Figure[] = [];
  for (const [label, r] of [['intake (POST /cases)', intake], ['accept (POST /cases/{id}/accept)', accept]] as const) {
    rows.push(
      figure({ figure: `${label} throughput`, unit: 'commands/s', value: round(r.okPerSecond, 0), baseline, baselineValue: round(noop.okPerSecond, 0), target: 'ratio >= 0.5', met: r.okPerSecond / noop.okPerSecond >= 0.5 }),
      figure({ figure: `${label} latency p50`, unit: 'ms', value: r.latency.p50, baseline, baselineValue: noop.latency.p50 }),
      figure({ figure: `${label} latency p99`, unit: 'ms', value: r.latency.p99, baseline, baselineValue: noop.latency.p99, target: '<= 20 ms', met: r.latency.p99 <= 20 }),
    );
  }
  rows.push(figure({
    figure: 'API peak RSS (VmHWM) after intake, dispatch and accept load', unit: 'MB', value: round(apiPeakRss, 1),
    baseline: 'bare NestJS server peak RSS under its own load', baselineValue: round(barePeakRss, 1), target: '<= 250 MB', met: apiPeakRss <= 250,
  }));
  const file = writeResult({
    name: 'command-path-http',
    settings: {
      server: 'built app (apps/api/src/main.ts compiled like npm run build, run with node), NODE_ENV=production, embedded SQLite (WAL, synchronous=FULL), worker in process',
      intakeLimits: 'INTAKE_LIMIT_PER_USER and _PER_IP raised to 1e8 (the throttler still runs)',
      loadGenerator: 'autocannon in a second process', connections: CONNECTIONS, seconds: SECONDS, warmUpSeconds: 2,
      intakeRequests: intake.requests.total, acceptRequests: accept.requests.total,
    },
    figures: rows,
    notes,
  });
  console.log(`wrote ${file}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
