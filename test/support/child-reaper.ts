import { ChildProcess } from 'node:child_process';

const living = new Map<ChildProcess, NodeJS.Signals>();
let hooked = false;

/**
 * Ties a child process a test started to the test process: when a test fails before its stop()
 * (a half-started fixture), the child would otherwise keep jest from exiting and CI would hang.
 * SIGTERM for a script that must stop its own children (run.sh traps it and stops the API and Redis).
 */
export function reapOnExit<T extends ChildProcess>(child: T, signal: NodeJS.Signals = 'SIGKILL'): T {
  living.set(child, signal);
  child.once('exit', () => living.delete(child));
  if (!hooked) {
    hooked = true;
    const reap = () => {
      for (const [orphan, signal] of living) orphan.kill(signal);
    };
    process.once('exit', reap);
    // A cancelled run (Ctrl-C, CI stopping the job, jest stopping a worker) ends by a signal: no 'exit'.
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        reap();
        process.kill(process.pid, signal);
      });
    }
  }
  return child;
}
