import { ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { reapOnExit } from './child-reaper';
import { requireCompleteBuild } from './complete-build';
import { freePort } from './free-port';

const MAIN = resolve(__dirname, '../../dist/apps/api/src/main.js');

export interface ApiProcess {
  baseUrl: string;
  request(method: string, path: string, options?: { token?: string; body?: unknown; headers?: Record<string, string> })
    : Promise<{ status: number; body: any; headers: Headers }>;
  /** Everything the process wrote to stdout so far (its JSON log lines). */
  stdout(): string;
  stop(): Promise<void>;
}

/** The built API (`npm run build`) in its own process on a free port: a real second replica. */
export async function startApiProcess(env: Record<string, string>): Promise<ApiProcess> {
  requireCompleteBuild();
  const port = await freePort();
  const child: ChildProcess = reapOnExit(spawn(process.execPath, [MAIN], {
    env: { ...process.env, NODE_ENV: 'test', WORKER_IN_PROCESS: 'false', HOST: '127.0.0.1', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  }));
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const baseUrl = `http://127.0.0.1:${port}`;
  const request: ApiProcess['request'] = async (method, path, { token, body, headers = {} } = {}) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    return { status: response.status, body: text && type.includes('json') ? JSON.parse(text) : text || null, headers: response.headers };
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the API exited with ${child.exitCode}: ${stderr}`);
    const ready = await request('GET', '/health').then((r) => r.status === 200, () => false);
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the API did not answer /health within 60 s: ${stderr}`);
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  return {
    baseUrl,
    request,
    stdout: () => stdout,
    stop: () => new Promise<void>((done) => {
      if (child.exitCode !== null) return done();
      child.once('exit', () => done());
      child.kill('SIGTERM');
    }),
  };
}
