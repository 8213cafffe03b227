import { PostgresEventStore } from '@civicloop/event-store';
import { PostgresServer, startPostgres } from '../support/postgres-server';
import { eventStoreContract } from './event-store.contract';

jest.setTimeout(60_000);

// One throw-away server for the file; every test opens its own store (own pool) on the same
// database, as a restarted API would. The contract uses fresh streams and reads $all from the head.
let server: Promise<PostgresServer> | undefined;
let url: Promise<string> | undefined;
afterAll(async () => {
  await (await server)?.stop();
});

eventStoreContract('PostgreSQL 15 (a real server started by the test on a free port)', async () => {
  server ??= startPostgres();
  url ??= server.then((s) => s.createDatabase('events'));
  const store = await PostgresEventStore.connect(await url);
  return { store, cleanup: () => store.close() };
});
