import { spawnSync } from 'node:child_process';

/**
 * Runs one benchmark entry, whatever its shape: a script that runs when loaded, a module that
 * exports a run/main/default function, or a script guarded by `require.main === module`.
 */
async function main(): Promise<void> {
  const file = process.argv[2];
  const loaded = require(file) as Record<string, unknown>;
  const callable = ['run', 'main', 'default', 'bench', 'runBenchmark'].map((k) => loaded[k]).find((f) => typeof f === 'function')
    ?? Object.entries(loaded).find(([name, f]) => typeof f === 'function' && /bench|run/i.test(name))?.[1];
  if (typeof callable === 'function') {
    await (callable as () => unknown)();
    return;
  }
  if (Object.keys(loaded).length === 0) return; // it ran when loaded (and keeps the process alive until done)
  const child = spawnSync(process.execPath, [file], { stdio: 'inherit' });
  process.exitCode = child.status ?? 1;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
