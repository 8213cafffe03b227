import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisServer, startRedis } from '../support/redis-server';
import { startRunCommand } from '../support/run-command';

const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };

/**
 * The run command once adopted whatever Redis listened on 6379 (another deployment's, whose
 * deadline jobs it would then take) and left the Redis it started running after it stopped.
 */
describe('scripts/run.sh uses a Redis of its own and stops it with the service', () => {
  let foreign: RedisServer;
  const dataDir = mkdtempSync(join(tmpdir(), 'civicloop-run-redis-'));

  beforeAll(async () => { foreign = await startRedis(); });
  afterAll(async () => {
    const pidFile = join(dataDir, 'redis', 'redis.pid');
    if (existsSync(pidFile) && alive(Number(readFileSync(pidFile, 'utf8')))) process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
    await foreign?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('passes over a Redis already on its port, starts one under DATA_DIR, and shuts it down on SIGTERM', async () => {
    // REDIS_PORT: where ensure-redis starts looking; a usable Redis is already there
    const service = await startRunCommand({ DATA_DIR: dataDir, REDIS_URL: '', REDIS_PORT: String(foreign.port) }, 90_000);
    let pid = 0;
    try {
      const port = Number(readFileSync(join(dataDir, 'redis', 'redis.port'), 'utf8'));
      pid = Number(readFileSync(join(dataDir, 'redis', 'redis.pid'), 'utf8'));
      expect(port).not.toBe(foreign.port);
      expect(alive(pid)).toBe(true);
      expect(await foreign.client.dbsize()).toBe(0); // not even a probe written there
      expect((await fetch(`${service.baseUrl}/health`)).status).toBe(200);
    } finally {
      await service.stop();
    }
    expect([0, 143]).toContain(service.child.exitCode); // 143: the service ended by the SIGTERM it was sent
    expect(alive(pid)).toBe(false);
  }, 120_000);
});
