import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { reapOnExit } from '../../support/child-reaper';
import { requireCompleteBuild } from '../../support/complete-build';

const ROOT = join(__dirname, '../../..');

/**
 * The built worker (`npm run build`, as the test command does first) in a child process. Not the
 * sources through a transpiling hook: that boot took 10–30 s on a loaded machine, long enough for the
 * deadlines under test to fall due before the worker was up.
 */
const MAIN = join(ROOT, 'dist/apps/worker/src/main.js');
export class WorkerProcess {
  private output = '';
  private constructor(readonly child: ChildProcess) {
    child.stdout!.on('data', (chunk) => { this.output += chunk; });
    child.stderr!.on('data', (chunk) => { this.output += chunk; });
  }

  static start(env: Record<string, string>): WorkerProcess {
    requireCompleteBuild();
    const child = spawn(process.execPath, [MAIN], {
      cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    reapOnExit(child);
    return new WorkerProcess(child);
  }

  get log(): string {
    return this.output;
  }

  async waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!pattern.test(this.output)) {
      if (this.child.exitCode !== null) throw new Error(`worker exited (${this.child.exitCode}):\n${this.output}`);
      if (Date.now() > end) throw new Error(`worker did not log ${pattern} within ${timeoutMs} ms:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Sends the signal and waits for the process to be gone. */
  stop(signal: NodeJS.Signals): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) return resolve();
      this.child.once('exit', () => resolve());
      this.child.kill(signal);
    });
  }
}
