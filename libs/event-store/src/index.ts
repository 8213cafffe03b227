export * from './event-store.port';
export * from './sqlite/sqlite-event-store';
export * from './poll-subscription';
