import 'reflect-metadata';
import { MultiBar, Presets } from 'cli-progress';
import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { Directory } from '@civicloop/directory';
import { EventStore, PersonalDataStore } from '@civicloop/event-store';
import { createEventStore, loadConfig, openPersonalDataKeys, PERSONAL_DATA_POLICY } from '@civicloop/platform';
import { ALL_PROJECTIONS, createReadModels, ReadModels, rebuildProjections } from '@civicloop/read-models';

interface CliOptions {
  dataDir?: string;
}

class NoEventStore extends Error {}

async function withReadModels(options: CliOptions, work: (models: ReadModels, store: EventStore) => Promise<void>): Promise<void> {
  const config = loadConfig({ ...process.env, ...(options.dataDir ? { DATA_DIR: options.dataDir } : {}) });
  // Opening a missing SQLite file would create an empty store and report lag 0 over nothing.
  if (!config.EVENTSTORE_CONNECTION_STRING && !existsSync(config.eventStoreFile)) {
    throw new NoEventStore(`no event store at ${config.eventStoreFile}: pass --data-dir (or DATA_DIR) of a service's data`);
  }
  // The views hold what the service's views hold: residents' texts decrypted (or 已删除 once erased), never ciphertext.
  const keys = await openPersonalDataKeys(config);
  const store = new PersonalDataStore(await createEventStore(config), keys, PERSONAL_DATA_POLICY);
  const models = await createReadModels(config, store, Directory.fromFile(config.DIRECTORY_FILE));
  try {
    await work(models, store);
  } finally {
    await models.rdb.close();
    await store.close();
    await keys.close();
  }
}

/** Rebuilds into fresh tables while the views keep serving the old ones, then swaps them in. */
async function rebuild(name: string | undefined, options: CliOptions): Promise<void> {
  const chosen = name ? ALL_PROJECTIONS.filter((p) => p.name === name) : ALL_PROJECTIONS;
  if (chosen.length === 0) throw new Error(`no projection ${name}; known: ${ALL_PROJECTIONS.map((p) => p.name).join(', ')}`);
  await withReadModels(options, async (models, store) => {
    const bars = new MultiBar({
      format: '{projection} [{bar}] {percentage}% | {value}/{total} | {rate} events/s',
      hideCursor: true, clearOnComplete: false, stream: process.stderr, noTTYOutput: true, notTTYSchedule: 2000,
    }, Presets.shades_classic);
    const done: string[] = [];
    try {
      // One pass over the log feeds every chosen projection.
      const head = Number((await store.headPosition()) ?? 0);
      const label = chosen.map((p) => p.name).join('+');
      const bar = bars.create(Math.max(head, 1), 0, { projection: label, rate: 0 });
      const started = Date.now();
      const results = await rebuildProjections(models.rdb, store, chosen, models.env, {
        onProgress: (p) => {
          bar.setTotal(Math.max(p.head, 1));
          bar.update(p.position, { rate: Math.round(p.events / Math.max((Date.now() - started) / 1000, 0.001)) });
        },
      });
      bar.update(bar.getTotal());
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
      process.stdout.write(`${lag.name.padEnd(8)} generation ${lag.generation}  position ${lag.position ?? '-'}  lag ${lag.lag}  owner ${lag.owner ?? '-'}\n`);
    }
  });
}

if (require.main === module) {
  const program = new Command('projections').description('the read models behind the views');
  program.command('rebuild [name]').description(`rebuild one projection (${ALL_PROJECTIONS.map((p) => p.name).join(', ')}) or all from the event log`)
    .option('--data-dir <dir>', 'the service\'s data directory (default: DATA_DIR, else ./data)')
    .action((name: string | undefined, options: CliOptions) => rebuild(name, options));
  program.command('status').description('checkpoint, lag and owner of each projection')
    .option('--data-dir <dir>', 'the service\'s data directory (default: DATA_DIR, else ./data)')
    .action((options: CliOptions) => status(options));
  program.parseAsync().catch((error) => {
    console.error((error as Error).message);
    process.exit(2);
  });
}
