import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import IORedis from 'ioredis';
import { freePort } from '../support/free-port';
import { RedisServer, startRedis } from '../support/redis-server';

const run = promisify(execFile);
const SCRIPT = join(__dirname, '..', '..', 'scripts', 'ensure-redis.sh');

/**
 * scripts/ensure-redis.sh is what the run command relies on for deadlines. A Redis left running
 * from an earlier clone whose data directory is gone answers every write (and even PING) with
 * MISCONF; the service would start, report healthy and never schedule a deadline.
 */
describe('scripts/ensure-redis.sh passes over a Redis that refuses writes', () => {
  const dataDirs: string[] = [];
  const startedPids: number[] = [];
  let broken: RedisServer;

  async function ensure(env: Record<string, string>): Promise<{ url: string; log: string; dataDir: string }> {
    const dataDir = mkdtempSync(join(tmpdir(), 'civicloop-ensure-redis-'));
    dataDirs.push(dataDir);
    const { stdout, stderr } = await run('bash', [SCRIPT], { env: { ...process.env, REDIS_URL: '', ...env, DATA_DIR: dataDir }, timeout: 20_000 });
    return { url: stdout.trim(), log: stderr, dataDir };
  }

  async function acceptsWrites(url: string): Promise<boolean> {
    const client = new IORedis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await client.connect();
      return (await client.set('civicloop:test', '1', 'PX', 1000)) === 'OK';
    } finally {
      client.disconnect();
    }
  }

  beforeEach(async () => {
    broken = await startRedis();
  });

  afterEach(async () => {
    // with snapshots on and its directory gone, Redis would refuse to shut down (it cannot save)
    await broken.client.config('SET', 'save', '').catch(() => undefined);
    await broken.stop();
    // only the Redis servers this script started for us, found by their pid files
    for (const dir of dataDirs) {
      const pidFile = join(dir, 'redis', 'redis.pid');
      if (existsSync(pidFile)) startedPids.push(Number(readFileSync(pidFile, 'utf8')));
    }
    // SIGKILL: on SIGTERM it may try to save into a directory that is gone and stay up
    for (const pid of startedPids.splice(0)) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
    }
    for (const dir of dataDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('a Redis that cannot persist any more (MISCONF, refusing even PING): starts its own on the next free port, and a second run reuses it', async () => {
    // snapshots on (so a failed one stops writes), then its data directory disappears
    await broken.client.config('SET', 'save', '3600 1');
    const [, dir] = (await broken.client.config('GET', 'dir')) as string[];
    rmSync(dir, { recursive: true, force: true });
    await broken.client.bgsave();
    for (let i = 0; i < 100 && !/rdb_last_bgsave_status:err/.test(await broken.client.info('persistence')); i++) await new Promise((r) => setTimeout(r, 50));
    await expect(broken.client.set('k', 'v')).rejects.toThrow(/MISCONF/);

    const first = await ensure({ REDIS_PORT: String(broken.port) });
    expect(first.log).toContain(`127.0.0.1:${broken.port} is taken by something we cannot use`);
    expect(Number(new URL(first.url).port)).toBeGreaterThan(broken.port);
    expect(await acceptsWrites(first.url)).toBe(true);

    const second = await ensure({ REDIS_PORT: String(broken.port) });
    expect(second.url).toBe(first.url);
  });

  it('a read-only replica named by REDIS_URL: not used; a local Redis is started instead', async () => {
    await broken.client.call('REPLICAOF', '127.0.0.1', String(await freePort()));
    await expect(broken.client.set('k', 'v')).rejects.toThrow(/READONLY/);

    const result = await ensure({ REDIS_URL: broken.url, REDIS_PORT: String(await freePort()) });
    expect(result.log).toMatch(/refuses writes \(READONLY/);
    expect(result.url).not.toBe(broken.url);
    expect(await acceptsWrites(result.url)).toBe(true);
  });

  it('the Redis it starts keeps taking writes after its data directory is deleted (no snapshots to fail)', async () => {
    const started = await ensure({ REDIS_PORT: String(await freePort()) });
    startedPids.push(Number(readFileSync(join(started.dataDir, 'redis', 'redis.pid'), 'utf8')));
    rmSync(join(started.dataDir, 'redis'), { recursive: true, force: true });
    const client = new IORedis(started.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await client.connect();
      await client.bgsave().catch(() => undefined); // what a save point would start on its own
      for (let i = 0; i < 100 && /rdb_bgsave_in_progress:1/.test(await client.info('persistence')); i++) await new Promise((r) => setTimeout(r, 50));
      expect(await client.set('after', 'deleted')).toBe('OK');
    } finally {
      client.disconnect();
    }
  });

  it('a healthy Redis named by REDIS_URL is used as it is', async () => {
    const result = await ensure({ REDIS_URL: broken.url });
    expect(result.url).toBe(broken.url);
    expect(existsSync(join(result.dataDir, 'redis'))).toBe(false);
  });
});
