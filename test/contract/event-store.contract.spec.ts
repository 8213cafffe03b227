import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectEsdb, SqliteEventStore } from '@civicloop/event-store';
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

// Production servers (21.10 and later) advertise BatchAppend through ServerFeatures and the client
// appends through it; older ones only have Append. The adapter must pass the contract on both paths,
// and each registration checks after every test that the path it names is the one that was taken.
const overStandIn = (features: 'batch-append' | 'append-only') => async () => {
  const standIn = await startEsdbStandIn({ features });
  const store = await connectEsdb(standIn.connectionString);
  const [taken, avoided] = features === 'batch-append'
    ? ['Streams.BatchAppend', 'Streams.Append'] as const : ['Streams.Append', 'Streams.BatchAppend'] as const;
  return {
    store,
    async cleanup() {
      await store.close();
      await standIn.stop();
      expect({ [taken]: standIn.appends[taken] > 0, [avoided]: standIn.appends[avoided] })
        .toEqual({ [taken]: true, [avoided]: 0 });
    },
  };
};

eventStoreContract('EventStoreDB adapter over gRPC, against the stand-in, appending through BatchAppend (as EventStoreDB ≥ 21.10)', overStandIn('batch-append'));
eventStoreContract('EventStoreDB adapter over gRPC, against the stand-in, appending through Append (older servers)', overStandIn('append-only'));

// A real server keeps its data between runs: the contract uses fresh streams and reads $all from the head.
const realServer = process.env.EVENTSTORE_CONNECTION_STRING;
if (realServer) {
  eventStoreContract(`EventStoreDB server (${realServer})`, async () => {
    const store = await connectEsdb(realServer);
    return { store, cleanup: () => store.close() };
  });
}
