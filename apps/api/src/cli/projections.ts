import 'reflect-metadata';
import { MultiBar, Presets } from 'cli-progress';
import { Command } from 'commander';
import { EventStore } from '@civicloop/event-store';
import { ALL_PROJECTIONS, ReadModels, rebuildInThreads } from '@civicloop/read-models';
import { cliRecipe, openCliReadSide } from './rebuild-side';

interface CliOptions {
  dataDir?: string;
  threads?: string;
}

const envOf = (options: CliOptions) => ({ ...process.env, ...(options.dataDir ? { DATA_DIR: options.dataDir } : {}) });

async function withReadModels(options: CliOptions, work: (models: ReadModels, store: EventStore, embedded: boolean) => Promise<void>): Promise<void> {
  const side = await openCliReadSide(envOf(options));
  try {
    await work(side.models, side.store, side.embedded);
  } finally {
    await side.close();
  }
}

/** Rebuilds into fresh tables while the views keep serving the old ones, then swaps them in. */
async function rebuild(name: string | undefined, options: CliOptions): Promise<void> {
  const chosen = name ? ALL_PROJECTIONS.filter((p) => p.name === name) : ALL_PROJECTIONS;
  if (chosen.length === 0) throw new Error(`no projection ${name}; known: ${ALL_PROJECTIONS.map((p) => p.name).join(', ')}`);
  const threads = options.threads === undefined ? undefined : Number(options.threads);
  if (threads !== undefined && (!/^\d{1,2}$/.test(options.threads!) || threads < 1 || threads > 64)) throw new Error(`--threads: a whole number from 1 to 64, not ${options.threads}`);
  await withReadModels(options, async (models, store, embedded) => {
    if (threads !== undefined && threads > 1 && !embedded) process.stderr.write('--threads: ignored, PostgreSQL or EventStoreDB is rebuilt in one thread\n');
    const bars = new MultiBar({
      format: '{projection} [{bar}] {percentage}% | {value}/{total} | {rate} events/s',
      hideCursor: true, clearOnComplete: false, stream: process.stderr, noTTYOutput: true, notTTYSchedule: 2000,
    }, Presets.shades_classic);
    const done: string[] = [];
    try {
      // The cases split between threads on the embedded stores, a bar per part (PostgreSQL's server
      // already writes in parallel, and its log may hide events still being committed from a part).
      const head = Number((await store.headPosition()) ?? 0);
      const groupBars = new Map<string, ReturnType<typeof bars.create>>();
      const started = Date.now();
      const side = { rdb: models.rdb, store, env: models.env, close: async () => undefined };
      const results = await rebuildInThreads(side, cliRecipe(envOf(options)), chosen, {
        threads: embedded ? threads : 1,
        onProgress: (p) => {
          let bar = groupBars.get(p.projection);
          if (!bar) groupBars.set(p.projection, bar = bars.create(Math.max(head, 1), 0, { projection: p.projection, rate: 0 }));
          bar.setTotal(Math.max(p.head, 1));
          bar.update(p.position, { rate: Math.round(p.events / Math.max((Date.now() - started) / 1000, 0.001)) });
        },
      });
      for (const bar of groupBars.values()) bar.update(bar.getTotal());
      for (const result of results) {
        done.push(`${result.name}: ${result.events} events into generation ${result.generation} (swapped in), checkpoint ${result.position ?? 'none'}`);
      }
    } finally {
      bars.stop();
      if (done.length) process.stdout.write(`${done.join('\n')}\n`);
    }
  });
}

async function status(options: CliOptions): Promise<void> {
  await withReadModels(options, async (models) => {
    for (const lag of await models.lags()) {
      const rebuilding = lag.rebuilding ? `  rebuilding into generation ${lag.rebuilding.generation} by ${lag.rebuilding.owner}` : '';
      process.stdout.write(`${lag.name.padEnd(8)} generation ${lag.generation}  position ${lag.position ?? '-'}  lag ${lag.lag}  owner ${lag.owner ?? '-'}${rebuilding}\n`);
    }
  });
}

if (require.main === module) {
  const program = new Command('projections').description('the read models behind the views');
  program.command('rebuild [name]').description(`rebuild one projection (${ALL_PROJECTIONS.map((p) => p.name).join(', ')}) or all from the event log`)
    .option('--data-dir <dir>', 'the service\'s data directory (default: DATA_DIR, else ./data)')
    .option('--threads <n>', 'threads that fold a long embedded log, each its share of the cases (default: one per core, at most 4; 1 for less memory)')
    .action((name: string | undefined, options: CliOptions) => rebuild(name, options));
  program.command('status').description('checkpoint, lag and owner of each projection')
    .option('--data-dir <dir>', 'the service\'s data directory (default: DATA_DIR, else ./data)')
    .action((options: CliOptions) => status(options));
  program.parseAsync().catch((error) => {
    console.error((error as Error).message);
    process.exit(2);
  });
}
