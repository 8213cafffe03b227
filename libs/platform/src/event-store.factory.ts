import {
  connectEsdb, describePostgres, EventStore, isPostgresConnectionString, KeyMaker, PersonalDataKeys, PostgresEventStore,
  PostgresPersonalDataKeys, SqliteEventStore, SqlitePersonalDataKeys,
} from '@civicloop/event-store';
import { AppConfig } from './app-config';

/**
 * EVENTSTORE_CONNECTION_STRING `postgres://…` → PostgreSQL, any other → EventStoreDB; unset → the
 * embedded SQLite file under DATA_DIR. A configured server that does not answer fails start-up within seconds, with a message
 * naming it, instead of letting the process hang on its first request.
 */
export async function createEventStore(config: AppConfig, { appends = true }: { appends?: boolean } = {}): Promise<EventStore> {
  if (config.EVENTSTORE_CONNECTION_STRING && isPostgresConnectionString(config.EVENTSTORE_CONNECTION_STRING)) {
    return PostgresEventStore.connect(config.EVENTSTORE_CONNECTION_STRING, { connectTimeoutMs: 5000 });
  }
  if (config.EVENTSTORE_CONNECTION_STRING) {
    return connectEsdb(config.EVENTSTORE_CONNECTION_STRING, { connectTimeoutMs: 5000 });
  }
  // The fsync of each commit runs on the store's writer thread, not on the event loop that serves
  // requests; a reader that never appends (a rebuild and each of its threads) starts no such thread.
  return new SqliteEventStore(config.eventStoreFile, { writerThread: appends });
}

/** The data keys, beside the events: in their PostgreSQL database when they live there, else a file in DATA_DIR. */
export async function openPersonalDataKeys(config: AppConfig, keyMaker?: KeyMaker): Promise<PersonalDataKeys> {
  return config.EVENTSTORE_CONNECTION_STRING && isPostgresConnectionString(config.EVENTSTORE_CONNECTION_STRING)
    ? PostgresPersonalDataKeys.connect(config.EVENTSTORE_CONNECTION_STRING, keyMaker)
    : new SqlitePersonalDataKeys(config.personalDataKeysFile, keyMaker);
}

/** Where the events live, for start-up logs. */
export function describeEventStore(config: AppConfig): string {
  if (config.EVENTSTORE_CONNECTION_STRING && isPostgresConnectionString(config.EVENTSTORE_CONNECTION_STRING)) {
    return describePostgres(config.EVENTSTORE_CONNECTION_STRING);
  }
  return config.EVENTSTORE_CONNECTION_STRING
    ? `EventStoreDB (${config.EVENTSTORE_CONNECTION_STRING.replace(/\/\/[^@/]*@/, '//')})`
    : `SQLite ${config.eventStoreFile}`;
}
