export * from './event-store.port';
export * from './sqlite/sqlite-event-store';
export * from './poll-subscription';
export * from './esdb/esdb-event-store';
export { fromEsdbPosition } from './esdb/esdb-mapping';
export * from './checkpoint-event';
export * from './postgres/postgres-event-store';
export { describePostgres, isPostgresConnectionString } from './postgres/postgres-connection';
