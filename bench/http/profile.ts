import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Directory } from '@civicloop/directory';
import { loadConfig } from '@civicloop/platform';
import { demoUser, signToken } from '../../apps/api/src/cli/token';
import { summarizeProfile } from '../harness/cpu-profile';
import { load } from '../harness/load';
import { ROOT } from '../harness/result';
import { startServer } from '../harness/server';
import { INTAKE_BODY } from './intake-body';

/**
 * Where the API's time goes under intake load: runs the built server with --cpu-prof, drives
 * POST /cases at 32 connections for a while, stops it and prints self time by package and function.
 * Usage: node dist/.bench/bench/http/profile.js [seconds]
 */
async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 10);
  const dataDir = mkdtempSync(join(tmpdir(), 'civicloop-profile-'));
  const profileDir = join(dataDir, 'profile');
  const secret = randomBytes(32).toString('hex');
  const env = { DATA_DIR: join(dataDir, 'data'), NODE_ENV: 'production', JWT_SECRET: secret, INTAKE_LIMIT_PER_USER: '100000000', INTAKE_LIMIT_PER_IP: '100000000' };
  const directory = Directory.fromFile(loadConfig(env).DIRECTORY_FILE);
  const token = signToken(secret, demoUser(directory, 'operator'), '1h');
  const api = await startServer(join(ROOT, 'dist', 'apps', 'api', 'src', 'main.js'), env, '/health', ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]);
  try {
    const r = await load({
      url: api.url, connections: 32, duration: seconds,
      requests: [{ method: 'POST', path: '/cases', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: INTAKE_BODY }],
    });
    console.log(`intake under profile: ${Math.round(r.okPerSecond)} commands/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms`);
  } finally {
    await api.stop();
  }
  const file = join(profileDir, readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'))!);
  const summary = summarizeProfile(file, 25);
  console.log(`\nself time, ${summary.totalMs} ms sampled\n\nby owner:`);
  for (const o of summary.owners) console.log(`  ${String(o.share).padStart(5)}%  ${o.owner}`);
  console.log('\nby function:');
  for (const f of summary.functions) console.log(`  ${String(f.share).padStart(5)}%  ${f.name}  ${f.where}`);
  if (process.env.KEEP_PROFILE) console.log(`\nprofile kept: ${file}`);
  else rmSync(dataDir, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
