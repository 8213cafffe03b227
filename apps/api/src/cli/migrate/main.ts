import { SingleBar } from 'cli-progress';
import { existsSync, readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { join } from 'node:path';
import {
  EventStore, isPostgresConnectionString, PersonalDataKeys, PostgresPersonalDataKeys, SqlitePersonalDataKeys,
} from '@civicloop/event-store';
import { PersonalDataEncryption } from './encrypt-personal-data';
import { allEvents, historyHash } from './history-hash';
import { migrate, MigrationCheckpoint, MigrationRefused } from './migrate';
import { openStore } from './open-store';
import { checkStoreSpec, StoreSpecRefused } from './store-spec';

interface CliOptions {
  from: string;
  to: string;
  checkpoint: string;
  pageSize: number;
  progress: boolean;
  verify: boolean;
  encryptPersonalData: boolean;
  keys?: string;
}

const positiveInt = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('a positive integer');
  return n;
};

/** Names a store for messages and checkpoints without leaking credentials in a connection string. */
const safeName = (spec: string) => spec.replace(/\/\/[^@/]*@/, '//');

async function countEvents(store: EventStore): Promise<number> {
  let count = 0;
  for await (const _ of allEvents(store)) count += 1;
  return count;
}

/**
 * The keys go where the service will look for them: beside a PostgreSQL target in its database (as
 * the service keeps them there), else in the file named by --keys. Keys written anywhere else would
 * leave every migrated case reading 已删除.
 */
async function personalDataEncryption(options: CliOptions, target: EventStore) {
  const keys: PersonalDataKeys = options.keys === undefined && isPostgresConnectionString(options.to)
    ? await PostgresPersonalDataKeys.connect(options.to)
    : new SqlitePersonalDataKeys(options.keys ?? join(process.env.DATA_DIR || './data', 'personal-data-keys.sqlite'));
  const encryption = new PersonalDataEncryption(keys, target);
  return { rewrite: encryption.rewrite, report: encryption.report, close: () => keys.close() };
}

async function run(options: CliOptions): Promise<void> {
  const [from, to] = [checkStoreSpec(options.from, 'source'), checkStoreSpec(options.to, 'target')];
  if (options.verify && options.encryptPersonalData) {
    throw new MigrationRefused('--verify compares identical histories; --encrypt-personal-data rewrites events (run audit verify on the target instead)');
  }
  const source = await openStore(from);
  const target = await openStore(to).catch(async (error) => {
    await source.close();
    throw error;
  });
  const encryption = options.encryptPersonalData ? await personalDataEncryption(options, target) : null;
  try {
    if (options.progress) process.stderr.write('counting events in the source…\n');
    const total = options.progress ? await countEvents(source) : 0;
    const bar = new SingleBar({
      format: 'migrating |{bar}| {value}/{total} events | {rate} events/s | ETA {eta_formatted}',
      etaBuffer: 20,
      noTTYOutput: true,
      stream: process.stderr,
    });
    const resumedFrom = existsSync(options.checkpoint)
      ? (JSON.parse(readFileSync(options.checkpoint, 'utf8')) as MigrationCheckpoint).copied : 0;
    const started = Date.now();
    if (options.progress) bar.start(total, resumedFrom, { rate: '0' });
    const result = await migrate({
      from: { name: safeName(options.from), store: source },
      to: { name: safeName(options.to), store: target },
      checkpointFile: options.checkpoint,
      pageSize: options.pageSize,
      rewrite: encryption?.rewrite,
      onProgress: (copied) => {
        const seconds = Math.max((Date.now() - started) / 1000, 0.001);
        if (options.progress) bar.update(copied, { rate: Math.round((copied - resumedFrom) / seconds).toString() });
      },
    });
    if (options.progress) bar.stop();
    process.stdout.write(`migrated ${result.copied} events from ${safeName(options.from)} to ${safeName(options.to)}\n`);
    if (encryption) {
      const { encrypted, rechained, streams } = encryption.report;
      process.stdout.write(`encrypted the personal data of ${encrypted} events; rewrote ${rechained} events of ${streams} streams with a new chain `
        + '(each records its old hash as rechainedFrom); delete the plain-text source and its backups, and start a new audit tree\n');
    }
    if (options.verify) {
      const [a, b] = await Promise.all([historyHash(source), historyHash(target)]);
      if (a.hash !== b.hash) throw new Error(`verification failed: source ${a.events} events ${a.hash}, target ${b.events} events ${b.hash}`);
      process.stdout.write(`verified: both stores hold ${a.events} events, sha256 ${a.hash}\n`);
    }
  } finally {
    await encryption?.close();
    await Promise.all([source.close(), target.close()]);
  }
}

if (require.main === module) {
  const program = new Command('migrate')
    .description('copy the whole event history from one store to another, keeping order, ids and metadata; resumable')
    .requiredOption('--from <store>', 'source: esdb://host:2113?tls=false, postgres://user@host/db, or sqlite:<file> / <file>')
    .requiredOption('--to <store>', 'target (must be empty unless resuming from --checkpoint)')
    .option('--checkpoint <file>', 'progress file; rerun with the same file to resume', 'migrate-checkpoint.json')
    .option('--page-size <n>', 'events read per page', positiveInt, 500)
    .option('--no-progress', 'no progress bar (and no counting pass)')
    .option('--verify', 'compare a sha256 over both histories when done (not with --encrypt-personal-data)', false)
    .option('--encrypt-personal-data', 'one-time: encrypt residents\' personal data written as plain text, re-sealing the streams it touches', false)
    .option('--keys <file>', 'the data keys (with --encrypt-personal-data); default: in the target\'s database when it is PostgreSQL, else $DATA_DIR/personal-data-keys.sqlite')
    .parse();
  run(program.opts<CliOptions>()).catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(error instanceof MigrationRefused || error instanceof StoreSpecRefused ? 2 : 1);
  });
}
