export * from './event-store.port';
export * from './sqlite/sqlite-event-store';
export * from './poll-subscription';
export * from './esdb/esdb-connect';
export * from './esdb/esdb-options';
// A type only: the class (and the EventStoreDB client under it) loads when connectEsdb is called.
export type { EsdbEventStore } from './esdb/esdb-event-store';
export { fromEsdbPosition } from './esdb/esdb-mapping';
export * from './checkpoint-event';
export * from './case-partition';
export * from './postgres/postgres-event-store';
export { describePostgres, isPostgresConnectionString } from './postgres/postgres-connection';
export * from './personal-data/personal-data-keys.port';
export * from './personal-data/sqlite-personal-data-keys';
export * from './personal-data/personal-data-cipher';
export * from './personal-data/personal-data-store';
export * from './personal-data/postgres-personal-data-keys';
export * from './personal-data/data-key';
