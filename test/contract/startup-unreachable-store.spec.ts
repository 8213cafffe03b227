import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../support/free-port';
import { reapOnExit } from '../support/child-reaper';

// The test command builds before jest; CIVICLOOP_DIST points elsewhere when checking another build.
const dist = process.env.CIVICLOOP_DIST ?? resolve(__dirname, '../../dist');
const EXITS_WITHIN_MS = 15_000;


/**
 * Runs an entry point of the build until it exits (or 30 s pass); returns its exit code, output and
 * duration. The bound is the store's connect timeout plus a loaded machine's module loading: the
 * point is that start-up gives up by itself rather than hang, not how fast a busy CI core is.
 */
function runUntilExit(entry: string, env: Record<string, string>): Promise<{ code: number | null; output: string; ms: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, [join(dist, entry)], { env: { ...process.env, ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  reapOnExit(child);
  let output = '';
  child.stdout.on('data', (chunk) => { output += chunk; });
  child.stderr.on('data', (chunk) => { output += chunk; });
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((done) => child.on('exit', (code) => {
    clearTimeout(killer);
    done({ code, output, ms: Date.now() - started });
  }));
}

describe('start-up with an unreachable EVENTSTORE_CONNECTION_STRING', () => {
  let dataDir: string;
  let silent: Server | undefined;
  beforeAll(() => {
    if (!existsSync(join(dist, 'apps/api/src/main.js'))) throw new Error(`no build in ${dist}: run npm run build first`);
  });
  beforeEach(() => { dataDir = mkdtempSync(join(tmpdir(), 'civicloop-startup-')); });
  afterEach(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    if (silent) await new Promise((done) => silent!.close(done));
    silent = undefined;
  });

  it('the API exits non-zero within 15 s naming the store when nothing listens there', async () => {
    const storePort = await freePort();
    const store = `esdb://127.0.0.1:${storePort}?tls=false`;
    const result = await runUntilExit('apps/api/src/main.js', { EVENTSTORE_CONNECTION_STRING: store, DATA_DIR: dataDir, PORT: String(await freePort()) });
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    expect(result.ms).toBeLessThan(EXITS_WITHIN_MS);
    expect(result.output).toContain(`cannot reach EventStoreDB at ${store}`);
  }, 40_000);

  it('the worker exits non-zero within 15 s naming the store when the server accepts but never answers', async () => {
    silent = createServer((socket) => socket.on('data', () => undefined));
    await new Promise<void>((done) => silent!.listen(0, '127.0.0.1', done));
    const store = `esdb://127.0.0.1:${(silent.address() as { port: number }).port}?tls=false`;
    const result = await runUntilExit('apps/worker/src/main.js', { EVENTSTORE_CONNECTION_STRING: store, DATA_DIR: dataDir });
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    expect(result.ms).toBeLessThan(EXITS_WITHIN_MS);
    expect(result.output).toContain(`cannot reach EventStoreDB at ${store}`);
  }, 40_000);

  it('the same with a postgres:// store: the API when nothing listens, the worker when the server never answers', async () => {
    const refused = `postgres://civicloop:secret@127.0.0.1:${await freePort()}/events`;
    const api = await runUntilExit('apps/api/src/main.js', { EVENTSTORE_CONNECTION_STRING: refused, DATA_DIR: dataDir, PORT: String(await freePort()) });
    silent = createServer((socket) => socket.on('data', () => undefined));
    await new Promise<void>((done) => silent!.listen(0, '127.0.0.1', done));
    const mute = `postgres://127.0.0.1:${(silent.address() as { port: number }).port}/events`;
    const worker = await runUntilExit('apps/worker/src/main.js', { EVENTSTORE_CONNECTION_STRING: mute, DATA_DIR: dataDir });
    for (const [result, store] of [[api, 'postgres://127.0.0.1'], [worker, mute]] as const) {
      expect(result.code).not.toBe(0);
      expect(result.code).not.toBeNull();
      expect(result.ms).toBeLessThan(EXITS_WITHIN_MS);
      expect(result.output).toContain(`cannot reach PostgreSQL at ${store}`);
    }
    expect(api.output).not.toContain('secret');
  }, 70_000);
});
