import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { PostgresEventStore } from '@civicloop/event-store';
import { migrate } from '../../apps/api/src/cli/migrate/migrate';
import { caseEvent } from '../contract/event-store.contract';
import { PostgresServer, startPostgres } from '../support/postgres-server';

jest.setTimeout(60_000);

/**
 * The Redis namespace of a deployment is its store's identity (libs/platform store-identity): two
 * databases on one server must not share one, replicas of one database must, and a migration
 * (events only) makes a new store. Before this, PostgreSQL stores were known by their connection
 * string, which two hosts naming one database differently would split.
 */
describe('PostgreSQL event store: its identity', () => {
  let server: PostgresServer;
  let dir: string;
  beforeAll(async () => {
    server = await startPostgres();
    dir = mkdtempSync(join(tmpdir(), 'civicloop-pg-identity-'));
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is made with the store, the same for every connection to it, another for another database and for a migrated copy', async () => {
    const url = await server.createDatabase('identity_a');
    const [first, replica] = [await PostgresEventStore.connect(url), await PostgresEventStore.connect(url)];
    const id = await first.storeId();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await replica.storeId()).toBe(id);
    await first.append('case-1', [caseEvent('case-1', 'CaseReceived', '2026-01-05T09:00:00.000Z')], 'no_stream');
    const other = await PostgresEventStore.connect(await server.createDatabase('identity_b'));
    expect(await other.storeId()).not.toBe(id);
    await migrate({ from: { name: 'a', store: first }, to: { name: 'b', store: other }, checkpointFile: join(dir, 'checkpoint.json') });
    expect(await other.headPosition()).not.toBeNull();
    expect(await other.storeId()).not.toBe(id);
    await Promise.all([first.close(), replica.close(), other.close()]);
    const reopened = await PostgresEventStore.connect(url);
    expect(await reopened.storeId()).toBe(id);
    await reopened.close();
  });

  it('is added once to a store created before identities, and kept from then on', async () => {
    const url = await server.createDatabase('identity_old');
    const client = new Client({ connectionString: url });
    await client.connect();
    await client.query(`CREATE TABLE event_store_settings (id boolean PRIMARY KEY DEFAULT true CHECK (id), xid_offset bigint NOT NULL DEFAULT 0);
      INSERT INTO event_store_settings (id, xid_offset) VALUES (true, 0)`);
    await client.end();
    const [a, b] = await Promise.all([PostgresEventStore.connect(url), PostgresEventStore.connect(url)]);
    const id = await a.storeId();
    expect(await b.storeId()).toBe(id);
    await Promise.all([a.close(), b.close()]);
    const again = await PostgresEventStore.connect(url);
    expect(await again.storeId()).toBe(id);
    await again.close();
  });
});
