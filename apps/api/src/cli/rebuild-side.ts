import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { Directory } from '@civicloop/directory';
import { EventStore, PersonalDataStore } from '@civicloop/event-store';
import { createEventStore, loadConfig, openPersonalDataKeys, PERSONAL_DATA_POLICY } from '@civicloop/platform';
import { createReadModels, openReadDatabase, OrgLookup, ReadModels, RebuildRecipe, RebuildSide, viewSettingsFromConfig } from '@civicloop/read-models';

export interface CliReadSide {
  models: ReadModels;
  store: EventStore;
  /** Both stores are the embedded SQLite files (a rebuild may then split between threads). */
  embedded: boolean;
  close(): Promise<void>;
}

/**
 * The service's read side as the CLI opens it, from the service's configuration: in the CLI's own
 * thread and in each rebuild thread (openRebuildSide), which is handed the same variables.
 */
export async function openCliReadSide(env: Record<string, string | undefined>, { ensureSchema = true } = {}): Promise<CliReadSide> {
  const config = loadConfig(env);
  // Opening a missing SQLite file would create an empty store and report lag 0 over nothing.
  if (!config.EVENTSTORE_CONNECTION_STRING && !existsSync(config.eventStoreFile)) {
    throw new Error(`no event store at ${config.eventStoreFile}: pass --data-dir (or DATA_DIR) of a service's data`);
  }
  // The views hold what the service's views hold: residents' texts decrypted (or 已删除 once erased), never ciphertext.
  const keys = await openPersonalDataKeys(config);
  const store = new PersonalDataStore(await createEventStore(config, { appends: false }), keys, PERSONAL_DATA_POLICY);
  const directory = Directory.fromFile(config.DIRECTORY_FILE);
  // A rebuild thread writes nothing before its rebuild: its caller made the schema, and a write here
  // would wait on its sibling threads' commits with the connection's default busy timeout only.
  const models = ensureSchema
    ? await createReadModels(config, store, directory)
    : new ReadModels(openReadDatabase({ databaseUrl: config.DATABASE_URL, sqliteFile: config.readModelsFile }), store, new OrgLookup(directory), viewSettingsFromConfig(config));
  return {
    models, store, embedded: !config.EVENTSTORE_CONNECTION_STRING && !config.DATABASE_URL,
    async close() {
      await models.rdb.close();
      await store.close();
      await keys.close();
    },
  };
}

export async function openRebuildSide(args: { env: Record<string, string | undefined> }): Promise<RebuildSide> {
  const { models, store, close } = await openCliReadSide(args.env, { ensureSchema: false });
  return { rdb: models.rdb, store, env: models.env, close };
}

export const cliRecipe = (env: Record<string, string | undefined>): RebuildRecipe => ({ module: __filename, args: { env } });
