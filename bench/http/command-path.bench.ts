import { spawn } from 'node:child_process';
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
const WORKER_MAIN = join(API_MAIN, '..', '..', '..', 'worker', 'src', 'main.js');

const COMPANY = 'company-jinling'; // serves compound-01

type Measured = LoadResult & { okPerSecond: number };
interface ApiRun { intake: Measured; accept: Measured; refused?: Measured; peakRssMb: number }

/** An intake without its description: refused by validation, after the same hooks, guards and interceptors as a command. */
const REFUSED_BODY = JSON.stringify({ ...JSON.parse(INTAKE_BODY), description: undefined });

function checkClean(label: string, r: Measured): string[] {
  const bad = r.non2xx + r.errors + r.timeouts;
  return bad ? [`${label}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts (${JSON.stringify(r.statusCodeStats)})`] : [];
}

/**
 * Intake, then (unmeasured) dispatch of every case received, then accept of each, on a fresh data
 * directory. `workerApart`: the API with WORKER_IN_PROCESS=false and the worker (projections,
 * deadlines) as its own process on the same machine, as the compose files run them.
 */
async function measureApi(workerApart: boolean, notes: string[]): Promise<ApiRun> {
  const dataDir = mkdtempSync(join(tmpdir(), 'civicloop-bench-http-'));
  const secret = randomBytes(32).toString('hex');
  // The intake rate limits guard against abuse by one user; here one user is the load generator.
  const env = {
    DATA_DIR: dataDir, NODE_ENV: 'production', JWT_SECRET: secret, DIRECTORY_FILE: productionDirectoryFile(dataDir),
    INTAKE_LIMIT_PER_USER: '100000000', INTAKE_LIMIT_PER_IP: '100000000', WORKER_IN_PROCESS: String(!workerApart),
  };
  const directory = Directory.fromFile(loadConfig(env).DIRECTORY_FILE);
  const auth = (role: 'operator' | 'handler', org?: string) => `Bearer ${signToken(secret, demoUser(directory, role, org), '1h')}`;
  const json = { 'content-type': 'application/json' };
  const label = workerApart ? 'worker apart' : 'worker in process';
  const worker = workerApart
    ? spawn(process.execPath, [...API_NODE_ARGS, WORKER_MAIN], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] })
    : undefined;
  const api = await startServer(API_MAIN, env, '/health', API_NODE_ARGS);
  try {
    const operator = { ...json, authorization: auth('operator') };
    const ids: string[] = [];
    const intakeRequest = { method: 'POST', path: '/cases', headers: operator, body: INTAKE_BODY, onResponse: (status: number, body: string) => { if (status === 201) ids.push(JSON.parse(body).id); } };
    await load({ url: api.url, connections: CONNECTIONS, duration: 2, requests: [intakeRequest] }); // warm-up
    ids.length = 0;
    const intake = await load({ url: api.url, connections: CONNECTIONS, duration: SECONDS, requests: [intakeRequest] });
    notes.push(...checkClean(`intake (${label})`, intake));
    // Not measured: put every case received above in the company's queue, so each accept has one to sign for.
    let next = 0;
    const dispatched = await load({
      url: api.url, connections: CONNECTIONS, amount: ids.length,
      requests: [{ method: 'POST', headers: operator, body: JSON.stringify({ assigneeId: COMPANY, tier: 'grid' }), setupRequest: (r) => ({ ...r, path: `/cases/${ids[next++]}/dispatch` }) }],
    });
    notes.push(...checkClean(`dispatch (preparation, ${label})`, dispatched));
    next = 0;
    const accept = await load({
      url: api.url, connections: CONNECTIONS, amount: ids.length,
      requests: [{ method: 'POST', headers: { ...json, authorization: auth('handler', COMPANY) }, body: '{}', setupRequest: (r) => ({ ...r, path: `/cases/${ids[next++]}/accept` }) }],
    });
    notes.push(...checkClean(`accept (${label})`, accept));
    // What the HTTP chain alone costs (no command): the floor a command's throughput sits under.
    const refused = workerApart
      ? await load({ url: api.url, connections: CONNECTIONS, duration: SECONDS / 2, requests: [{ method: 'POST', path: '/cases', headers: operator, body: REFUSED_BODY }] })
      : undefined;
    if (refused && refused.non2xx !== refused.requests.total) notes.push(`refused intake: ${refused.requests.total - refused.non2xx} requests were not refused`);
    return { intake, accept, refused, peakRssMb: api.peakRssMb() };
  } finally {
    await api.stop();
    if (worker && worker.exitCode === null) {
      await new Promise((resolve) => { worker.once('exit', resolve); worker.kill('SIGTERM'); });
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function measureBare(adapter: 'fastify' | 'express', notes: string[]): Promise<{ noop: Measured; peakRssMb: number }> {
  const bare = await startServer(BARE, { BARE_ADAPTER: adapter });
  try {
    const request = { method: 'POST', path: '/noop', headers: { 'content-type': 'application/json' }, body: INTAKE_BODY };
    await load({ url: bare.url, connections: CONNECTIONS, duration: 2, requests: [request] });
    const noop = await load({ url: bare.url, connections: CONNECTIONS, duration: SECONDS, requests: [request] });
    notes.push(...checkClean(`bare ${adapter}`, noop));
    return { noop, peakRssMb: bare.peakRssMb() };
  } finally {
    await bare.stop();
  }
}

async function main(): Promise<void> {
  const notes: string[] = [];
  const apart = await measureApi(true, notes);
  const inProcess = await measureApi(false, notes);
  const fastify = await measureBare('fastify', notes);
  const express = await measureBare('express', notes);

  const baseline = `bare NestJS POST /noop on the same Fastify adapter (same body limit, no work), ${CONNECTIONS} connections`;
  const expressBaseline = `bare NestJS POST /noop on Express (the adapter before), ${CONNECTIONS} connections`;
  const rows: Figure[] = [];
  for (const [run, where] of [[apart, 'worker apart'], [inProcess, 'worker in process']] as const) {
    for (const [label, r] of [['intake (POST /cases)', run.intake], ['accept (POST /cases/{id}/accept)', run.accept]] as const) {
      const bare = fastify.noop;
      rows.push(
        figure({ figure: `${label} throughput, ${where}`, unit: 'commands/s', value: round(r.okPerSecond, 0), baseline, baselineValue: round(bare.okPerSecond, 0), target: 'ratio >= 0.5', met: r.okPerSecond / bare.okPerSecond >= 0.5 }),
        figure({ figure: `${label} throughput, ${where}, beside Express`, unit: 'commands/s', value: round(r.okPerSecond, 0), baseline: expressBaseline, baselineValue: round(express.noop.okPerSecond, 0) }),
        figure({ figure: `${label} latency p50, ${where}`, unit: 'ms', value: r.latency.p50, baseline, baselineValue: bare.latency.p50 }),
        figure({ figure: `${label} latency p99, ${where}`, unit: 'ms', value: r.latency.p99, baseline, baselineValue: bare.latency.p99, target: '<= 20 ms', met: r.latency.p99 <= 20 }),
      );
    }
  }
  if (apart.refused) {
    const r = apart.refused;
    const perSecond = r.requests.total / r.duration;
    rows.push(
      figure({ figure: 'refused intake (POST /cases without its description: hooks, guards, interceptors, validation, the 400 answer; no command) throughput, worker apart', unit: 'requests/s', value: round(perSecond, 0), baseline, baselineValue: round(fastify.noop.okPerSecond, 0) }),
      figure({ figure: 'refused intake latency p99, worker apart', unit: 'ms', value: r.latency.p99, baseline, baselineValue: fastify.noop.latency.p99 }),
    );
  }
  rows.push(
    figure({ figure: 'bare Fastify throughput beside bare Express', unit: 'requests/s', value: round(fastify.noop.okPerSecond, 0), baseline: expressBaseline, baselineValue: round(express.noop.okPerSecond, 0) }),
    figure({
      figure: 'API peak RSS (VmHWM) after intake, dispatch and accept load, worker in process', unit: 'MB', value: round(inProcess.peakRssMb, 1),
      baseline: 'bare NestJS (Fastify) server peak RSS under its own load', baselineValue: round(fastify.peakRssMb, 1), target: '<= 250 MB', met: inProcess.peakRssMb <= 250,
    }),
  );
  const file = writeResult({
    name: 'command-path-http',
    settings: {
      server: 'built app (apps/api/src/main.ts compiled like npm run build, run with node), NestJS on Fastify, NODE_ENV=production, embedded SQLite (WAL, synchronous=FULL); worker apart: WORKER_IN_PROCESS=false and dist/apps/worker as a second process on the same cores',
      intakeLimits: 'INTAKE_LIMIT_PER_USER and _PER_IP raised to 1e8 (the throttler still runs)',
      loadGenerator: 'autocannon in a second process', connections: CONNECTIONS, seconds: SECONDS, warmUpSeconds: 2,
      intakeRequests: { workerApart: apart.intake.requests.total, workerInProcess: inProcess.intake.requests.total },
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
