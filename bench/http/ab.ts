import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Directory } from '@civicloop/directory';
import { loadConfig } from '@civicloop/platform';
import { demoUser, signToken } from '../../apps/api/src/cli/token';
import { load } from '../harness/load';
import { startServer } from '../harness/server';
import { INTAKE_BODY } from './intake-body';
import { productionDirectoryFile } from '../harness/production-directory';
import { API_NODE_ARGS } from '../harness/result';

/**
 * Intake at 32 connections against each built server named, one after the other in the same
 * minutes (e.g. another commit's dist beside this one), so two builds compare under the same load.
 * A path with `bare` in it is a no-op server and gets POST /noop. WORKER_IN_PROCESS passes through.
 * AB_REQUEST=refused posts an intake without its description (the whole chain, the 400, no command),
 * AB_REQUEST=directory GETs /directory. Prints the server process's CPU per request (from /proc).
 *   node node_modules/.cache/civicloop-bench/bench/http/ab.js OLD/dist/apps/api/src/main.js dist/apps/api/src/main.js
 */
async function main(): Promise<void> {
  for (const script of process.argv.slice(2)) {
    const dataDir = mkdtempSync(join(tmpdir(), 'civicloop-ab-'));
    const secret = randomBytes(32).toString('hex');
    const env = {
      DATA_DIR: dataDir, NODE_ENV: 'production', JWT_SECRET: secret, DIRECTORY_FILE: productionDirectoryFile(dataDir),
      INTAKE_LIMIT_PER_USER: '100000000', INTAKE_LIMIT_PER_IP: '100000000', WORKER_IN_PROCESS: process.env.WORKER_IN_PROCESS ?? 'false',
    };
    const directory = Directory.fromFile(loadConfig(env).DIRECTORY_FILE);
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${signToken(secret, demoUser(directory, 'operator'), '1h')}` };
    const server = await startServer(script, env, '/health', API_NODE_ARGS);
    try {
      const request = requestFor(script, headers);
      await load({ url: server.url, connections: 32, duration: 2, requests: [request] });
      const cpuBefore = cpuMs(server.pid);
      const r = await load({ url: server.url, connections: 32, duration: 6, requests: [request] });
      const cpuPerRequest = ((cpuMs(server.pid) - cpuBefore) * 1000) / r.requests.total;
      console.log(`${script}: ${(r.requests.total / r.duration).toFixed(0)}/s (${r.non2xx} non-2xx), p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, CPU ${cpuPerRequest.toFixed(0)} µs per request, load ${loadavg()[0].toFixed(1)}`);
    } finally {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
}

function requestFor(script: string, headers: Record<string, string>) {
  if (script.includes('bare')) return { method: 'POST', path: '/noop', headers, body: INTAKE_BODY };
  if (process.env.AB_REQUEST === 'directory') return { method: 'GET', path: '/directory', headers };
  if (process.env.AB_REQUEST === 'refused') return { method: 'POST', path: '/cases', headers, body: JSON.stringify({ ...JSON.parse(INTAKE_BODY), description: undefined }) };
  return { method: 'POST', path: '/cases', headers, body: INTAKE_BODY };
}

/** User + system CPU of a process so far, in ms (all its threads), from /proc/<pid>/stat (clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
