import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditStore, ChainFollower, loadOrCreateSigningKey, verifyLog } from '@civicloop/audit';
import { EventStore, SqliteEventStore, SubscribeOptions } from '@civicloop/event-store';
import { caseEvent } from '../contract/event-store.contract';

/** The real store, whose subscription drops (as a lost EventStoreDB connection does) after `afterEvents` events. */
function droppingOnce(store: EventStore, afterEvents: number): EventStore {
  let dropped = false;
  return Object.assign(Object.create(store) as EventStore, {
    subscribeToAll: (options: SubscribeOptions) => {
      let seen = 0;
      return store.subscribeToAll({
        ...options,
        handler: (event) => {
          if (!dropped && ++seen > afterEvents) {
            dropped = true;
            throw new Error('connection lost');
          }
          return options.handler(event);
        },
      });
    },
  });
}

describe('the chain follower', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'civicloop-follower-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('says when it fails, and a new follower carries on from the stored position with nothing lost or added twice', async () => {
    const store = new SqliteEventStore(join(dir, 'events.sqlite'));
    for (let i = 0; i < 30; i++) await store.append(`case-${i % 7}`, [caseEvent(`case-${i % 7}`, `Step${i}`, new Date(Date.UTC(2026, 2, 2, 1, 0, i)).toISOString())], 'any');
    const audit = new AuditStore(join(dir, 'audit.sqlite'));
    const key = loadOrCreateSigningKey(join(dir, 'key.pem'));
    const failures: unknown[] = [];
    const options = { checkpointEvery: 1000, checkpointMs: 3_600_000, batchSize: 5, idleFlushMs: 1 };
    const first = new ChainFollower(droppingOnce(store, 12), audit, key, { ...options, onFailure: (e) => failures.push(e) });
    await first.start();
    for (let waited = 0; failures.length === 0 && waited < 10_000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    await first.stop();
    expect(failures).toEqual([expect.objectContaining({ message: 'connection lost' })]);
    expect(audit.state().frontier.size).toBeLessThan(30);

    const second = new ChainFollower(store, audit, key, options);
    await second.start();
    for (let waited = 0; audit.state().frontier.size < 30 && waited < 10_000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    const checkpoint = await second.checkpointNow();
    await second.stop();
    expect(checkpoint?.treeSize).toBe(30);
    expect((await verifyLog(store, { checkpoint })).checkpoint).toMatchObject({ matches: true, signatureValid: true });
    audit.close();
    await store.close();
  });
});
