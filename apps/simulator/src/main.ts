import 'reflect-metadata';
import { Command, InvalidArgumentError } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { ConfigInvalid, loadConfig } from '@civicloop/platform';
import { simulateDistrict } from './simulate';

const positiveInt = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive whole number');
  return n;
};
const integer = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('must be a whole number');
  return n;
};
const instant = (value: string) => {
  if (value === 'now') return new Date();
  const at = new Date(value);
  if (Number.isNaN(at.getTime()) || !/[zZ]|[+-]\d{2}:?\d{2}$/.test(value)) throw new InvalidArgumentError('must be an ISO-8601 date-time with a zone, or "now"');
  return at;
};

const program = new Command('simulate')
  .description('play a district through the real command path into DATA_DIR (deterministic for a seed)')
  .option('--cases <n>', 'cases to receive', positiveInt, 3000)
  .option('--days <n>', 'simulated days they arrive over', positiveInt, 30)
  .option('--seed <n>', 'seed: the same seed, the same history', integer, 12345)
  .option('--start <iso>', 'simulated start (ISO-8601 with zone)', instant, new Date('2026-10-01T00:00:00+08:00'))
  .option('--end-now', 'start so that the simulated days end now (for demos)')
  .option('--data-dir <dir>', 'data directory (default: DATA_DIR)')
  .option('--fresh', 'delete the data directory first')
  .option('--json', 'print the report as JSON only')
  .parse();

async function main(): Promise<void> {
  const o = program.opts<{ cases: number; days: number; seed: number; start: Date; endNow?: boolean; dataDir?: string; fresh?: boolean; json?: boolean }>();
  const config = loadConfig({ ...process.env, ...(o.dataDir ? { DATA_DIR: o.dataDir } : {}) });
  if (o.fresh) rmSync(config.DATA_DIR, { recursive: true, force: true });
  if (existsSync(config.eventStoreFile) && readdirSync(config.DATA_DIR).length) {
    throw new Error(`${config.eventStoreFile} exists: simulate into a fresh data directory (use --fresh to delete ${config.DATA_DIR})`);
  }
  const start = o.endNow ? new Date(Math.floor((Date.now() - o.days * 86_400_000) / 60_000) * 60_000) : o.start;
  const bar = o.json ? null : new SingleBar({
    format: 'simulating {bar} {percentage}% | day {day}/{days} | {commands} commands',
  }, Presets.shades_classic);
  bar?.start(o.days * 24, 0, { day: 0, days: o.days, commands: 0 });
  const report = await simulateDistrict({
    config, seed: o.seed, cases: o.cases, days: o.days, start,
    onProgress: ({ simulatedHours, commands }) => bar?.update(Math.floor(simulatedHours), { day: Math.floor(simulatedHours / 24), commands }),
  });
  bar?.stop();
  if (o.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  console.log(`${report.cases} cases over ${report.days} days from ${report.start}: ${report.commands} commands, ${report.events} events, ` +
    `${report.openCases} cases still open, in ${report.wallSeconds.toFixed(1)} s`);
  console.log(`history sha256 ${report.historyHash}`);
  console.log(`commands: ${Object.entries(report.commandsByType).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  if (Object.keys(report.refused).length) console.log(`refused: ${JSON.stringify(report.refused)}`);
  console.log(`events in ${config.eventStoreFile}`);
}

main().catch((error) => {
  console.error(error instanceof ConfigInvalid ? error.message : (error as Error).message ?? error);
  process.exit(1);
});
