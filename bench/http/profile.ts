import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Directory } from '@civicloop/directory';
import { loadConfig } from '@civicloop/platform';
import { demoUser, signToken } from '../../apps/api/src/cli/token';
import { summarizeLayers } from '../harness/cpu-layers';
import { summarizeProfile } from '../harness/cpu-profile';
import { load } from '../harness/load';
import { API_MAIN, API_NODE_ARGS } from '../harness/result';
import { startServer } from '../harness/server';
import { INTAKE_BODY } from './intake-body';
import { productionDirectoryFile } from '../harness/production-directory';

/**
 * Where the API's time goes: runs the built server with --cpu-prof, drives it for a while, stops it
 * and prints self time by package and function. Scenarios: `intake` (POST /cases, 32 connections),
 * `read` (GET of a 200-event case, 1 connection).
 * Usage (after npm run bench, or bench/run.sh --build-only):
 *   node node_modules/.cache/civicloop-bench/bench/http/profile.js [seconds] [intake|read]
 */
async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 10);
  const scenario = process.argv[3] ?? 'intake';
  const dataDir = mkdtempSync(join(tmpdir(), 'civicloop-profile-'));
  const profileDir = join(dataDir, 'profile');
  const secret = randomBytes(32).toString('hex');
  const env = { DATA_DIR: join(dataDir, 'data'), NODE_ENV: 'production', JWT_SECRET: secret, DIRECTORY_FILE: productionDirectoryFile(dataDir), INTAKE_LIMIT_PER_USER: '100000000', INTAKE_LIMIT_PER_IP: '100000000' };
  const directory = Directory.fromFile(loadConfig(env).DIRECTORY_FILE);
  const token = signToken(secret, demoUser(directory, 'operator'), '1h');
  const api = await startServer(API_MAIN, env, '/health', [...API_NODE_ARGS, '--cpu-prof', `--cpu-prof-dir=${profileDir}`]);
  try {
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    let request = { method: 'POST', path: '/cases', headers, body: INTAKE_BODY };
    let connections = 32;
    if (scenario === 'read') {
      const post = async (path: string, body: unknown, auth = headers) => {
        const response = await fetch(`${api.url}${path}`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
        if (response.status >= 300) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
        return response.json() as Promise<{ id: string }>;
      };
      const { id } = await post('/cases', JSON.parse(INTAKE_BODY));
      await post(`/cases/${id}/dispatch`, { assigneeId: 'company-jinling', tier: 'grid' });
      const handler = { ...headers, authorization: `Bearer ${signToken(secret, demoUser(directory, 'handler', 'company-jinling'), '1h')}` };
      await post(`/cases/${id}/accept`, {}, handler);
      for (let i = 0; i < 197; i++) await post(`/cases/${id}/note`, { text: `第${i + 1}次跟进` }, handler);
      request = { method: 'GET', path: `/cases/${id}`, headers, body: undefined as unknown as string };
      connections = 1;
    }
    const r = await load({ url: api.url, connections, duration: seconds, requests: [request] });
    console.log(`${scenario} under profile: ${Math.round(r.okPerSecond)} requests/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, non-2xx ${r.non2xx}`);
  } finally {
    await api.stop();
  }
  const file = join(profileDir, readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'))!);
  const summary = summarizeProfile(file, 25);
  console.log(`\nself time, ${summary.totalMs} ms sampled\n\nby owner:`);
  for (const o of summary.owners) console.log(`  ${String(o.share).padStart(5)}%  ${o.owner}`);
  console.log('\nby layer (the innermost layer on each sample\'s stack; start-up and idle apart):');
  for (const l of summarizeLayers(file)) console.log(`  ${String(l.share).padStart(5)}%  ${l.layer}`);
  console.log('\nby function:');
  for (const f of summary.functions) console.log(`  ${String(f.share).padStart(5)}%  ${f.name}  ${f.where}`);
  if (process.env.KEEP_PROFILE) console.log(`\nprofile kept: ${file}`);
  else rmSync(dataDir, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
