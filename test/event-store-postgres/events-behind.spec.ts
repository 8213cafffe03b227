import { PostgresEventStore } from '@civicloop/event-store';
import { eventsBehind } from '../../apps/api/src/health/events-behind';
import { caseEvent } from '../contract/event-store.contract';
import { PostgresServer, startPostgres } from '../support/postgres-server';

jest.setTimeout(60_000);

/**
 * /health says "degraded" when the views are more than 1,000 events behind. On PostgreSQL a
 * position steps by 4,096 per transaction: judged on positions, one append behind looked like
 * thousands of events and the health flapped under steady traffic.
 */
describe('events behind a reader, on PostgreSQL positions', () => {
  let server: PostgresServer;
  beforeAll(async () => { server = await startPostgres(); });
  afterAll(async () => { await server?.stop(); });

  it('counts one append as one event, however far its position moved, and caps the count past the threshold', async () => {
    const store = await PostgresEventStore.connect(await server.createDatabase('behind'));
    try {
      await store.append('case-1', [caseEvent('case-1', 'CaseReceived', '2026-01-05T09:00:00.000Z')], 'no_stream');
      const first = (await store.headPosition())!;
      await store.append('case-1', [caseEvent('case-1', 'CaseNoteAdded', '2026-01-05T09:01:00.000Z')], 0);
      const head = (await store.headPosition())!;
      expect(head - first).toBeGreaterThan(1000);
      expect(await eventsBehind(store, first, head - first, 1000)).toBe(1);
      expect(await eventsBehind(store, null, head, 1000)).toBe(2);
      expect(await eventsBehind(store, first, head - first, 0)).toBe(1);
      for (let i = 0; i < 5; i++) await store.append(`case-${i + 2}`, [caseEvent(`case-${i + 2}`, 'CaseReceived', '2026-01-05T09:02:00.000Z')], 'no_stream');
      expect(await eventsBehind(store, null, Number(await store.headPosition()), 3)).toBe(4);
    } finally {
      await store.close();
    }
  });
});
