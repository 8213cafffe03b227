import { execFile, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DEMO_DIRECTORY_FILE } from '@civicloop/directory';
import { RedisServer, startRedis } from '../support/redis-server';
import { RunningService, startRunCommand } from '../support/run-command';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const TOKEN_CLI = join(ROOT, 'dist', 'apps', 'api', 'src', 'cli', 'token.js');
const MAIN = join(ROOT, 'dist', 'apps', 'api', 'src', 'main.js');

/**
 * The key main a7c4a23 shipped in libs/platform/src/app-config.ts and used whenever JWT_SECRET was
 * unset. It is public (the repository's history keeps it), so it is written here as what an
 * attacker would try, and must open nothing.
 */
const PUBLISHED_DEVELOPMENT_KEY = ['civicloop', 'development', 'key', 'not', 'for', 'production', 'use'].join('-');

function hs256(secret: string, claims: object): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const body = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

const operatorClaims = () => ({ sub: 'user-operator-1', role: 'operator', org: 'district-qinhuai', exp: Math.floor(Date.now() / 1000) + 600 });

async function token(dataDir: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [TOKEN_CLI, ...args], { cwd: ROOT, env: { ...process.env, DATA_DIR: dataDir, JWT_SECRET: '', NODE_ENV: '' } });
  return stdout.trim();
}

describe('the run command keeps no key anyone can read', () => {
  let redis: RedisServer;
  let service: RunningService;
  const dataDir = mkdtempSync(join(tmpdir(), 'civicloop-run-secret-'));

  beforeAll(async () => {
    redis = await startRedis();
    service = await startRunCommand({ DATA_DIR: dataDir, REDIS_URL: redis.url });
  }, 120_000);

  afterAll(async () => {
    await service?.stop();
    await redis?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 401 to a token signed with the published development key', async () => {
    const response = await fetch(`${service.baseUrl}/views/board`, { headers: { authorization: `Bearer ${hs256(PUBLISHED_DEVELOPMENT_KEY, operatorClaims())}` } });
    expect(response.status).toBe(401);
  });

  it('made its own key in DATA_DIR, mode 0600, which the token CLI reads too', async () => {
    const file = join(dataDir, 'jwt-secret');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const key = readFileSync(file, 'utf8').trim();
    expect(Buffer.byteLength(key)).toBeGreaterThanOrEqual(32);
    const fromCli = await token(dataDir, '--role', 'operator');
    expect((await fetch(`${service.baseUrl}/views/board`, { headers: { authorization: `Bearer ${fromCli}` } })).status).toBe(200);
    expect((await fetch(`${service.baseUrl}/views/board`, { headers: { authorization: `Bearer ${hs256(key, operatorClaims())}` } })).status).toBe(200);
    // the key in use is written in no file of the repository
    const grep = spawnSync('grep', ['-rlF', '--exclude-dir=node_modules', '--exclude-dir=.git', '--exclude-dir=dist', key, ROOT], { encoding: 'utf8' });
    expect(grep.stdout).toBe('');
  });

  it('listens on 127.0.0.1 only', async () => {
    const outward = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal);
    if (!outward) return; // a machine with loopback only has no other address to try
    const port = new URL(service.baseUrl).port;
    await expect(fetch(`http://${outward.address}:${port}/health`)).rejects.toThrow();
  });
});

describe('a key per data directory', () => {
  it('two fresh data directories get two keys; token CLIs started together on one agree on one', async () => {
    const dirs = [mkdtempSync(join(tmpdir(), 'civicloop-key-a-')), mkdtempSync(join(tmpdir(), 'civicloop-key-b-'))];
    try {
      // four CLIs race to create the first directory's key: every token must verify with the one file
      const tokens = await Promise.all([1, 2, 3, 4].map(() => token(dirs[0], '--role', 'operator')));
      await token(dirs[1], '--role', 'operator');
      const [a, b] = dirs.map((d) => readFileSync(join(d, 'jwt-secret'), 'utf8').trim());
      expect(a).not.toBe(b);
      for (const t of tokens) {
        const [head, body, signature] = t.split('.');
        expect(createHmac('sha256', a).update(`${head}.${body}`).digest('base64url')).toBe(signature);
      }
      for (const d of dirs) expect(statSync(join(d, 'jwt-secret')).mode & 0o777).toBe(0o600);
    } finally {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  });
});

describe('NODE_ENV=production refuses to start without its settings', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'civicloop-prod-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const start = (env: Record<string, string>) =>
    spawnSync(process.execPath, [MAIN], { cwd: ROOT, encoding: 'utf8', timeout: 20_000, env: { PATH: process.env.PATH, NODE_ENV: 'production', ...env } });

  it('names JWT_SECRET and DIRECTORY_FILE when neither is set', () => {
    const result = start({ DATA_DIR: dataDir });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/JWT_SECRET: required in production/);
    expect(result.stderr).toMatch(/DIRECTORY_FILE: required in production/);
  });

  it('names a key under 32 bytes and a demo directory', () => {
    const result = start({ DATA_DIR: dataDir, JWT_SECRET: 'short-key', DIRECTORY_FILE: DEMO_DIRECTORY_FILE });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/JWT_SECRET: must be at least 32 bytes/);
    expect(result.stderr).toMatch(/DIRECTORY_FILE: .* is a demo directory/);
  });
});
