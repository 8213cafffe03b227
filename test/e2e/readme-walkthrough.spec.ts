import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RedisServer, startRedis } from '../support/redis-server';
import { RunningService, startRunCommand } from '../support/run-command';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');

/** The first ```bash block under the README's curl walk-through heading, as a newcomer copies it. */
function walkthrough(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## A case through the loop, with curl'));
  const block = /```bash\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('README has no bash block under "A case through the loop, with curl"');
  return block[1];
}

/** The README's walk-through once failed as written (a resident could not rate an operator's case, close answered 409). */
describe('README: a case through the loop, with curl', () => {
  let redis: RedisServer;
  let service: RunningService;
  const dataDir = mkdtempSync(join(tmpdir(), 'civicloop-readme-'));

  beforeAll(async () => {
    redis = await startRedis();
    service = await startRunCommand({ DATA_DIR: dataDir, REDIS_URL: redis.url });
  }, 120_000);
  afterAll(async () => {
    await service?.stop();
    await redis?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs against the service started by the run command, every call answering 2xx', async () => {
    const { stdout } = await run('bash', ['-c', `set -euo pipefail\n${walkthrough()}`], {
      cwd: ROOT, env: { ...process.env, API: service.baseUrl, DATA_DIR: dataDir, JWT_SECRET: '', NODE_ENV: '' }, timeout: 90_000,
    });
    const statuses = [...stdout.matchAll(/ → (\d{3})$/gm)].map((m) => Number(m[1]));
    // dispatch, accept, note, resolve, rate, close, then the three reads
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200]);
    const events = JSON.parse(stdout.trim().split('\n').pop()!.replace(/ → \d{3}$/, '')) as { type: string }[];
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['CaseReceived', 'CaseRated', 'CaseClosed']));
  }, 120_000);
});
