import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';

/** One measured figure beside the baseline measured in the same run. */
export interface Figure {
  figure: string;
  unit: string;
  value: number;
  baseline?: string;
  baselineValue?: number;
  /** value / baselineValue. */
  ratio?: number;
  /** e.g. "ratio >= 0.8" or "<= 2 ms"; absent when the figure has no target. */
  target?: string;
  met?: boolean;
}

export interface BenchResult {
  name: string;
  date: string;
  machine: ReturnType<typeof machine>;
  versions: Record<string, string>;
  settings: Record<string, unknown>;
  figures: Figure[];
  notes?: string[];
}

/** Where `npm run bench` compiled the service and the benchmarks (see bench/run.sh). */
export const BUILT = join(__dirname, '..', '..');
/** The built API, from the same sources and compiler settings as `npm run build`. */
export const API_MAIN = join(BUILT, 'apps', 'api', 'src', 'main.js');

function repositoryRoot(): string {
  for (let dir = BUILT; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'bench', 'run.sh')) && existsSync(join(dir, 'package.json'))) return dir;
  }
  throw new Error(`no repository above ${BUILT}`);
}

export const ROOT = repositoryRoot();

/**
 * The V8 flags scripts/run.sh starts the service with (heap cap, young space), read from the script so the
 * benchmarks measure the service as it is shipped and cannot drift from it.
 */
export const API_NODE_ARGS: string[] = readFileSync(join(ROOT, 'scripts', 'run.sh'), 'utf8').match(/--max-(?:old|semi)-space-size=\d+/g) ?? [];
export const RESULTS_DIR = join(ROOT, 'bench', 'results');

export function machine() {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    os: `${process.platform} ${safe(() => execFileSync('uname', ['-r']).toString().trim())}`,
    /** 1-minute load average when the result was written: other work on the machine skews figures. */
    loadAverage1m: round(loadavg()[0]),
    commit: measuredCommit(),
  };
}

/** The commit measured; `+changes` when tracked sources differed from it (results files aside). */
function measuredCommit(): string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  return safe(() => {
    const head = git('rev-parse', '--short=12', 'HEAD');
    const changed = git('status', '--porcelain', '--untracked-files=no', '--', '.', ':(exclude)bench/results', ':(exclude)bench/README.md');
    return changed ? `${head}+changes` : head;
  });
}

export function versions(): Record<string, string> {
  const pkg = (name: string) => safe(() => require(`${name}/package.json`).version as string);
  return {
    node: process.version,
    sqlite: safe(() => {
      const Database = require('better-sqlite3');
      const db = new Database(':memory:');
      const v = db.prepare('select sqlite_version() as v').get().v as string;
      db.close();
      return v;
    }),
    'better-sqlite3': pkg('better-sqlite3'),
    '@nestjs/core': pkg('@nestjs/core'),
    autocannon: pkg('autocannon'),
  };
}

function safe(read: () => string): string {
  try {
    return read();
  } catch {
    return 'unknown';
  }
}

export function figure(f: Omit<Figure, 'ratio'> & { ratio?: number }): Figure {
  const ratio = f.ratio ?? (f.baselineValue ? f.value / f.baselineValue : undefined);
  return { ...f, ...(ratio === undefined ? {} : { ratio: Math.round(ratio * 1000) / 1000 }) };
}

/** Writes bench/results/<YYYY-MM-DD>-<name>.json and returns its path. */
export function writeResult(result: Omit<BenchResult, 'date' | 'machine' | 'versions'> & { versions?: Record<string, string> }): string {
  const date = new Date().toISOString();
  const full: BenchResult = { ...result, date, machine: machine(), versions: { ...versions(), ...result.versions } };
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${date.slice(0, 10)}-${result.name}.json`);
  writeFileSync(file, `${JSON.stringify(full, null, 2)}\n`);
  return file;
}

/** p-th percentile (0..100) of values, nearest rank. */
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
