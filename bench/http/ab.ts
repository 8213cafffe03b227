import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Directory } from '@civicloop/directory';
import { loadConfig } from '@civicloop/platform';
import { demoUser, signToken } from '../../apps/api/src/cli/token';
import { load } from '../harness/load';
import { startServer } from '../harness/server';
import { INTAKE_BODY } from './intake-body';
import { productionDirectoryFile } from '../harness/production-directory';

/**
 * Intake at 32 connections against each built server named, one after the other in the same
 * minutes (e.g. another commit's dist beside this one), so two builds compare under the same load.
 * A path with `bare` in it is a no-op server and gets POST /noop. WORKER_IN_PROCESS passes through.
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
    const server = await startServer(script, env, '/health', ['--max-old-space-size=512']);
    try {
      const request = { method: 'POST', path: script.includes('bare') ? '/noop' : '/cases', headers, body: INTAKE_BODY };
      await load({ url: server.url, connections: 32, duration: 2, requests: [request] });
      const r = await load({ url: server.url, connections: 32, duration: 6, requests: [request] });
      console.log(`${script}: ${r.okPerSecond.toFixed(0)}/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, non-2xx ${r.non2xx}, load ${loadavg()[0].toFixed(1)}`);
    } finally {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
