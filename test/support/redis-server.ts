import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { freePort } from './free-port';
import { reapOnExit } from './child-reaper';

export interface RedisServer {
  /** redis://127.0.0.1:<port> */
  url: string;
  port: number;
  /** A client for the test itself (already connected); closed by stop(). */
  client: IORedis;
  /** Wipes every key, as if Redis had lost its data. */
  flushAll(): Promise<void>;
  stop(): Promise<void>;
}


const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));

/**
 * Starts a throw-away redis-server (apt package `redis-server`) on a free port with its data in a
 * temp dir, configured as production must be: `noeviction`, so queued jobs are never dropped.
 * stop() shuts it down and removes the dir.
 */
export async function startRedis({ appendOnly = false } = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'civicloop-redis-'));
  const port = await freePort();
  const child = spawn('redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '',
    '--appendonly', appendOnly ? 'yes' : 'no', '--maxmemory-policy', 'noeviction',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  reapOnExit(child);
  let stderr = '';
  child.stderr!.on('data', (chunk) => { stderr += chunk; });
  const url = `redis://127.0.0.1:${port}`;
  const client = new IORedis(url, { maxRetriesPerRequest: null, lazyConnect: true, retryStrategy: () => 50 });
  // refused connects while redis-server is still starting are expected; the ping loop below decides
  let lastError: unknown;
  client.on('error', (error) => { lastError = error; });
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited: ${stderr}`);
    try {
      if (client.status === 'wait') await client.connect();
      if ((await client.ping()) === 'PONG') break;
    } catch (error) {
      if (attempt > 100) { child.kill('SIGKILL'); throw lastError ?? error; }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url,
    port,
    client,
    flushAll: async () => { await client.flushall(); },
    async stop() {
      client.disconnect();
      child.kill('SIGTERM');
      await exited(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
