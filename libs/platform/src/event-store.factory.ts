import { EsdbEventStore, EventStore, SqliteEventStore } from '@civicloop/event-store';
import { AppConfig } from './app-config';

/**
 * EVENTSTORE_CONNECTION_STRING set → EventStoreDB; otherwise the embedded SQLite file under
 * DATA_DIR. A configured server that does not answer fails start-up within seconds, with a message
 * naming it, instead of letting the process hang on its first request.
 */
export async function createEventStore(config: AppConfig): Promise<EventStore> {
  if (config.EVENTSTORE_CONNECTION_STRING) {
    return EsdbEventStore.connect(config.EVENTSTORE_CONNECTION_STRING, { connectTimeoutMs: 5000 });
  }
  return new SqliteEventStore(config.eventStoreFile);
}

/** Where the events live, for start-up logs. */
export function describeEventStore(config: AppConfig): string {
  return config.EVENTSTORE_CONNECTION_STRING
    ? `EventStoreDB (${config.EVENTSTORE_CONNECTION_STRING.replace(/\/\/[^@/]*@/, '//')})`
    : `SQLite ${config.eventStoreFile}`;
}
