import { EventStore, SqliteEventStore } from '@civicloop/event-store';
import { AppConfig } from './app-config';

/** The embedded SQLite file under DATA_DIR is the default store. */
export async function createEventStore(config: AppConfig): Promise<EventStore> {
  return new SqliteEventStore(config.eventStoreFile);
}
