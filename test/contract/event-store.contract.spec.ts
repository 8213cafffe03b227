import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EsdbEventStore, SqliteEventStore } from '@civicloop/event-store';
import { startEsdbStandIn } from '../esdb-stand-in/stand-in-server';
import { eventStoreContract } from './event-store.contract';

eventStoreContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'civicloop-contract-'));
  const store = new SqliteEventStore(join(dir, 'events.sqlite'));
  return {
    store,
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

eventStoreContract('EventStoreDB adapter over gRPC, against the stand-in', async () => {
  const standIn = await startEsdbStandIn();
  const store = await EsdbEventStore.connect(standIn.connectionString);
  return {
    store,
    async cleanup() {
      await store.close();
      await standIn.stop();
    },
  };
});

// A real server keeps its data between runs: the contract uses fresh streams and reads $all from the head.
const realServer = process.env.EVENTSTORE_CONNECTION_STRING;
if (realServer) {
  eventStoreContract(`EventStoreDB server (${realServer})`, async () => {
    const store = await EsdbEventStore.connect(realServer);
    return { store, cleanup: () => store.close() };
  });
}
