import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from './free-port';
import { reapOnExit } from './child-reaper';
import { requireCompleteBuild } from './complete-build';

const ROOT = join(__dirname, '..', '..');

export interface RunningService {
  baseUrl: string;
  child: ChildProcess;
  log(): string;
  /** SIGTERM to the run command (as Ctrl-C would), then waits until it has exited. */
  stop(): Promise<void>;
}

/**
 * The README's run command (`bash scripts/run.sh`) in a child process on a free port; resolves once
 * the service answers HTTP. Needs dist built (scripts/test.sh builds first; run.sh would otherwise).
 */
export async function startRunCommand(env: Record<string, string>, timeoutMs = 60_000): Promise<RunningService> {
  // run.sh rebuilds when a source is newer than the last build: under a test run that would empty
  // dist beneath every other test, so the tests require a complete build and check it was kept.
  const builtAt = requireCompleteBuild();
  const port = await freePort();
  const child = spawn('bash', [join(ROOT, 'scripts', 'run.sh')], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: '', JWT_SECRET: '', HOST: '', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  reapOnExit(child, 'SIGTERM');
  let output = '';
  child.stdout!.on('data', (chunk) => { output += chunk; });
  child.stderr!.on('data', (chunk) => { output += chunk; });
  const baseUrl = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`run.sh exited (${child.exitCode}):\n${output}`);
    try {
      await fetch(`${baseUrl}/health`);
      break;
    } catch {
      if (Date.now() > end) { await stop(); throw new Error(`run.sh did not answer within ${timeoutMs} ms:\n${output}`); }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  if (requireCompleteBuild() !== builtAt) {
    await stop();
    throw new Error(`run.sh rebuilt dist although the build was complete:\n${output}`);
  }
  return { baseUrl, child, log: () => output, stop };
}
