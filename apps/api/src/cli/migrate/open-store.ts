import {
  connectEsdb, EventStore, isPostgresConnectionString, PostgresEventStore, SqliteEventStore,
} from '@civicloop/event-store';

/**
 * A store named on the command line: an EventStoreDB connection string (`esdb://…`,
 * `esdb+discover://…`), a PostgreSQL one (`postgres://…`, `postgresql://…`) or a SQLite file
 * (`sqlite:<path>` or a plain path).
 */
export async function openStore(spec: string): Promise<EventStore> {
  if (isPostgresConnectionString(spec)) return PostgresEventStore.connect(spec);
  if (/^esdb(\+discover)?:\/\//.test(spec)) return connectEsdb(spec);
  return new SqliteEventStore(spec.replace(/^sqlite:/, ''));
}
