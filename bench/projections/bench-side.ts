import { Directory, DEMO_DIRECTORY_FILE } from '@civicloop/directory';
import { SqliteEventStore } from '@civicloop/event-store';
import { openReadDatabase, OrgLookup, ReadModels, RebuildRecipe, RebuildSide, viewSettings } from '@civicloop/read-models';

interface BenchSideArgs { eventFile: string; sqliteFile?: string; databaseUrl?: string }

/** The bench's rebuild as a thread opens it: the generated log, the read database, the demo directory. */
export async function openRebuildSide(args: BenchSideArgs): Promise<RebuildSide> {
  const store = new SqliteEventStore(args.eventFile);
  const rdb = openReadDatabase(args.databaseUrl ? { databaseUrl: args.databaseUrl } : { sqliteFile: args.sqliteFile });
  const models = new ReadModels(rdb, store, new OrgLookup(Directory.fromFile(DEMO_DIRECTORY_FILE)), viewSettings());
  return { rdb, store, env: models.env, close: async () => { await rdb.close(); await store.close(); } };
}

export const benchRecipe = (args: BenchSideArgs): RebuildRecipe => ({ module: __filename, args });
