import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { Directory } from '@civicloop/directory';
import { EventStore, PersonalDataStore } from '@civicloop/event-store';
import { createEventStore, loadConfig, openPersonalDataKeys, PERSONAL_DATA_POLICY } from '@civicloop/platform';
import { createReadModels, ReadModels, RebuildRecipe, RebuildSide } from '@civicloop/read-models';

export interface CliReadSide { models: ReadModels; store: EventStore; close(): Promise<void> }

/**
 * The service's read side as the CLI opens it, from the service's configuration: in the CLI's own
 * thread and in each rebuild thread (openRebuildSide), which is handed the same variables.
 */
export async function openCliReadSide(env: Record<string, string | undefined>): Promise<CliReadSide> {
  const config = loadConfig(env);
  // Opening a missing SQLite file would create an empty store and report lag 0 over nothing.
  if (!config.EVENTSTORE_CONNECTION_STRING && !existsSync(config.eventStoreFile)) {
    throw new Error(`no event store at ${config.eventStoreFile}: pass --data-dir (or DATA_DIR) of a service's data`);
  }
  // The views hold what the service's views hold: residents' texts decrypted (or 已删除 once erased), never ciphertext.
  const keys = await openPersonalDataKeys(config);
  const store = new PersonalDataStore(await createEventStore(config), keys, PERSONAL_DATA_POLICY);
  const models = await createReadModels(config, store, Directory.fromFile(config.DIRECTORY_FILE));
  return {
    models, store,
    async close() {
      await models.rdb.close();
      await store.close();
      await keys.close();
    },
  };
}

export async function openRebuildSide(args: { env: Record<string, string | undefined> }): Promise<RebuildSide> {
  const { models, store, close } = await openCliReadSide(args.env);
  return { rdb: models.rdb, store, env: models.env, close };
}

export const cliRecipe = (env: Record<string, string | undefined>): RebuildRecipe => ({ module: __filename, args: { env } });
