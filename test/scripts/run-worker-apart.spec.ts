import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RedisServer, startRedis } from '../support/redis-server';
import { startRunCommand } from '../support/run-command';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const TOKEN_CLI = join(ROOT, 'dist', 'apps', 'api', 'src', 'cli', 'token.js');
const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };
const childrenOf = (pid: number): number[] => {
  try {
    return execFileSync('pgrep', ['-P', String(pid)]).toString().trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when there are none
  }
};

/**
 * WORKER_IN_PROCESS=false: the run command starts the worker as a second process (projections and
 * deadlines off the API's event loop). The views then depend on that process alone: a case shows on
 * the board only if the worker runs, and stopping the service must stop it too.
 */
describe('scripts/run.sh with the worker apart', () => {
  let redis: RedisServer;
  const dataDir = mkdtempSync(join(tmpdir(), 'civicloop-run-worker-'));
  beforeAll(async () => { redis = await startRedis(); });
  afterAll(async () => {
    await redis?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs the worker as a second process that projects the views, and stops it with the service', async () => {
    const service = await startRunCommand({ DATA_DIR: dataDir, REDIS_URL: redis.url, WORKER_IN_PROCESS: 'false' }, 90_000);
    let processes: number[] = [];
    try {
      processes = childrenOf(service.child.pid ?? 0);
      expect(processes.length).toBeGreaterThanOrEqual(2); // the API and the worker
      const { stdout } = await run(process.execPath, [TOKEN_CLI, '--role', 'operator'], {
        cwd: ROOT, env: { ...process.env, DATA_DIR: dataDir, JWT_SECRET: '', NODE_ENV: '' },
      });
      const headers = { authorization: `Bearer ${stdout.trim()}`, 'content-type': 'application/json' };
      const intake = await fetch(`${service.baseUrl}/cases`, {
        method: 'POST', headers, body: JSON.stringify({
          channel: 'hotline_12345', category: 'repair.water_leak', urgency: 'normal', requestType: 'complaint',
          description: '楼顶漏水，雨天渗到卧室', location: { compoundId: 'compound-01', building: '3' },
          reporter: { name: '王女士', phone: '13800138000' },
        }),
      });
      expect(intake.status).toBe(201);
      const { id } = (await intake.json()) as { id: string };
      const deadline = Date.now() + 30_000;
      let board = '';
      while (!board.includes(id) && Date.now() < deadline) {
        board = await (await fetch(`${service.baseUrl}/views/board`, { headers })).text();
        if (!board.includes(id)) await new Promise((r) => setTimeout(r, 250));
      }
      expect(board).toContain(id);
    } finally {
      await service.stop();
    }
    const end = Date.now() + 15_000;
    while (processes.some(alive) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    expect(processes.filter(alive)).toEqual([]);
  }, 150_000);
});
