import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { updateReadme } from './readme-table';
import { RESULTS_DIR, ROOT } from './result';

/** Ours first, in this order; any other folder under bench/ (deadlines, projections, ...) after. */
const ORDER = ['event-store', 'http', 'read'];
const FALLBACK_ENTRIES = ['index.js', 'run.js', 'main.js', 'bench.js'];
const COMPILED = join(__dirname, '..');
/** npm run bench must end within 10 minutes on 2 cores: no entry may take more than this. */
const ENTRY_LIMIT_SECONDS = Number(process.env.BENCH_ENTRY_LIMIT_SECONDS ?? 180);
/**
 * Sizes that fit the 10-minute budget, for entries whose own defaults do not (the projection
 * rebuild of 1,000,000 events alone takes over 5 minutes on SQLite here). Set a variable to
 * override, e.g. BENCH_PROJECTION_EVENTS=1000000 BENCH_ENTRY_LIMIT_SECONDS=1800 npm run bench.
 */
const BUDGET_SIZES: Record<string, string> = { BENCH_PROJECTION_EVENTS: '150000' };

function entries(): string[] {
  const dirs = readdirSync(COMPILED).filter((d) => d !== 'harness' && statSync(join(COMPILED, d)).isDirectory())
    .sort((a, b) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99) || a.localeCompare(b));
  const only = process.env.BENCH_ONLY?.split(',');
  return dirs.filter((d) => !only || only.includes(d)).flatMap((dir) => {
    const files = readdirSync(join(COMPILED, dir));
    const benches = files.filter((f) => f.endsWith('.bench.js')).sort();
    const chosen = benches.length ? benches : FALLBACK_ENTRIES.filter((f) => files.includes(f)).slice(0, 1);
    return chosen.map((f) => join(COMPILED, dir, f));
  });
}

/** Runs one entry in its own process group, so a stuck entry and whatever it started can be stopped. */
function runEntry(entry: string): Promise<'ok' | 'failed' | 'timed out'> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(__dirname, 'run-entry.js'), entry], {
      stdio: 'inherit', cwd: ROOT, detached: true, env: { ...BUDGET_SIZES, ...process.env },
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try { process.kill(-child.pid!, 'SIGTERM'); } catch { /* already gone */ }
      setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, 5_000).unref();
    }, ENTRY_LIMIT_SECONDS * 1000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(timedOut ? 'timed out' : code === 0 ? 'ok' : 'failed');
    });
  });
}

async function main(): Promise<void> {
  const began = Date.now();
  const outcomes: string[] = [];
  for (const entry of entries()) {
    const name = entry.slice(COMPILED.length + 1);
    console.log(`\n=== ${name}`);
    const t = Date.now();
    const outcome = await runEntry(entry);
    outcomes.push(`${outcome.padEnd(9)} ${name} (${((Date.now() - t) / 1000).toFixed(0)} s)`);
  }
  if (existsSync(RESULTS_DIR)) updateReadme(join(ROOT, 'bench', 'README.md'), RESULTS_DIR);
  console.log(`\n${outcomes.join('\n')}\nbench finished in ${((Date.now() - began) / 1000).toFixed(0)} s; table in bench/README.md`);
  if (outcomes.some((o) => !o.startsWith('ok'))) process.exitCode = 1;
}

main();
