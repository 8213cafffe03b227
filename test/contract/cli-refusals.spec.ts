import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@civicloop/event-store';

// each CLI is a node process of its own; on a busy 2-core machine one start can take seconds
jest.setTimeout(90_000);

const DIST = join(__dirname, '..', '..', 'dist', 'apps', 'api', 'src', 'cli');

/** The built CLIs as an operator runs them, from a directory of their own, without DATA_DIR. */
function cli(script: string, args: string[], cwd: string) {
  const env = { ...process.env };
  delete env.DATA_DIR;
  return spawnSync(process.execPath, [join(DIST, script), ...args], { cwd, env, encoding: 'utf8', timeout: 30_000 });
}

/** CLIs that once "succeeded" on nothing: a typo'd path or scheme, a missing DATA_DIR. */
describe('the CLIs refuse what they cannot do, and explain themselves', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'civicloop-cli-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('migrate refuses a source file that does not exist (exit 2) and creates nothing', () => {
    const result = cli('migrate/main.js', ['--from', 'evnets.sqlite', '--to', 'copy.sqlite', '--no-progress'], dir);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/no SQLite event store at evnets\.sqlite/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it.each(['mysql://db/events', 'esbd://localhost:2113', 'http://example.com/store'])('migrate refuses the unsupported scheme of %s (exit 2)', (from) => {
    const result = cli('migrate/main.js', ['--from', from, '--to', 'copy.sqlite', '--no-progress'], dir);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/unsupported scheme/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('migrate still copies from an existing file, given as sqlite:, file: or a plain path', async () => {
    await new SqliteEventStore(join(dir, 'events.sqlite')).close();
    for (const [from, to] of [['events.sqlite', 'a.sqlite'], ['sqlite:events.sqlite', 'b.sqlite'], [`file://${join(dir, 'events.sqlite')}`, 'c.sqlite']]) {
      const result = cli('migrate/main.js', ['--from', from, '--to', to, '--no-progress', '--checkpoint', `${to}.json`], dir);
      expect([from, result.status, result.stdout]).toEqual([from, 0, expect.stringMatching(/^migrated 0 events/)]);
    }
  });

  it('projections refuses to create a store where there is none, and takes --data-dir', async () => {
    const missing = cli('projections.js', ['status'], dir);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/no event store at data\/events\.sqlite: pass --data-dir/);
    expect(existsSync(join(dir, 'data'))).toBe(false);
    await new SqliteEventStore(join(dir, 'service', 'events.sqlite')).close();
    const found = cli('projections.js', ['status', '--data-dir', join(dir, 'service')], dir);
    expect([found.status, found.stderr]).toEqual([0, '']);
    expect(found.stdout).toMatch(/^board\s+generation/m);
  });

  it.each([['migrate/main.js', []], ['projections.js', []], ['projections.js', ['status']]])('%s %s --help', (script, args) => {
    const result = cli(script, [...args, '--help'], dir);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: /);
    if (script === 'projections.js' && args.length) expect(result.stdout).toMatch(/--data-dir <dir>/);
  });
});
