import type { EsdbEventStore } from './esdb-event-store';
import { EsdbEventStoreOptions } from './esdb-options';

/**
 * Connects to EventStoreDB (see EsdbEventStore.connect). Its client (gRPC and protobuf, ~180 modules,
 * ~0.2 s to load) is loaded only here: a process on the embedded store or PostgreSQL (every CLI
 * command, rebuild thread and test that does not talk to EventStoreDB) never loads it.
 */
export async function connectEsdb(connectionString: string, options: EsdbEventStoreOptions = {}): Promise<EsdbEventStore> {
  const { EsdbEventStore } = await import('./esdb-event-store');
  return EsdbEventStore.connect(connectionString, options);
}
