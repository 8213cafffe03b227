import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { updateReadme } from './readme-table';
import { RESULTS_DIR, ROOT } from './result';

/** Ours first, in this order; any other folder under bench/ (deadlines, projections, ...) after. */
const ORDER = ['event-store', 'http', 'read'];
const FALLBACK_ENTRIES = ['index.js', 'run.js', 'main.js', 'bench.js'];
const COMPILED = join(__dirname, '..');

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

function main(): void {
  const began = Date.now();
  const outcomes: string[] = [];
  for (const entry of entries()) {
    const name = entry.slice(COMPILED.length + 1);
    console.log(`\n=== ${name}`);
    const t = Date.now();
    const run = spawnSync(process.execPath, [join(__dirname, 'run-entry.js'), entry], { stdio: 'inherit', cwd: ROOT });
    outcomes.push(`${run.status === 0 ? 'ok    ' : 'FAILED'} ${name} (${((Date.now() - t) / 1000).toFixed(0)} s)`);
  }
  const readme = join(ROOT, 'bench', 'README.md');
  if (existsSync(RESULTS_DIR)) updateReadme(readme, RESULTS_DIR);
  console.log(`\n${outcomes.join('\n')}\nbench finished in ${((Date.now() - began) / 1000).toFixed(0)} s; table in bench/README.md`);
  if (outcomes.some((o) => o.startsWith('FAILED'))) process.exitCode = 1;
}

main();
