import { randomUUID } from 'node:crypto';
import { PostgresEventStore, RecordedEvent } from '@civicloop/event-store';
import { caseEvent, eventually } from '../contract/event-store.contract';
import { PostgresServer, startPostgres } from '../support/postgres-server';

jest.setTimeout(90_000);

interface Append { streamId: string; eventIds: string[]; revision?: number; position?: number }

/**
 * The server dies under load (`pg_ctl stop -m immediate`: every PostgreSQL process quits at once,
 * no checkpoint, WAL not yet written is gone) and starts again: no acknowledged append is lost,
 * and an append whose answer never came is there whole or not at all. The server here runs with
 * synchronous_commit=off as its default, as a server tuned for other work might: the adapter's own
 * sessions must still wait for the WAL, or acknowledged appends of the last moments would vanish.
 */
describe('PostgreSQL event store: immediate stop of the server under load', () => {
  let server: PostgresServer;
  beforeAll(async () => { server = await startPostgres(); });
  afterAll(() => server?.stop());

  it('loses no acknowledged append; an unanswered one is whole or absent; the same store instance writes again and its subscription carries on', async () => {
    const url = await server.createDatabase('crash');
    const store = await PostgresEventStore.connect(url);
    // A subscription that lives through the crash: it must neither skip nor repeat an event.
    const followed: RecordedEvent[] = [];
    const subscription = store.subscribeToAll({ handler: (event) => { followed.push(event); } });
    const acknowledged: Append[] = [];
    const inDoubt: Append[] = [];
    let writing = true;
    const loop = async (loopId: number) => {
      const streamId = `case-crash-${loopId}-${randomUUID()}`;
      let revision = -1;
      while (writing) {
        const events = Array.from({ length: 1 + (acknowledged.length % 3) }, (_, k) => caseEvent(streamId, `Step${k}`, new Date().toISOString()));
        const append: Append = { streamId, eventIds: events.map((e) => e.metadata.eventId) };
        try {
          const result = await store.append(streamId, events, revision < 0 ? 'no_stream' : revision);
          acknowledged.push({ ...append, ...result });
          revision = result.revision;
        } catch {
          inDoubt.push(append);
          return; // this stream's head is unknown now
        }
      }
    };
    const loops = Promise.all(Array.from({ length: 8 }, (_, i) => loop(i)));
    await eventually(() => acknowledged.length >= 400, 'appends under way', 30_000);
    await server.stopImmediately();
    writing = false;
    await loops;
    expect(inDoubt.length).toBeGreaterThan(0); // the stop did cut appends in flight

    await server.restart();
    const reader = await PostgresEventStore.connect(url);
    try {
      const byId = new Map<string, RecordedEvent>();
      for (let after: number | null = null, page = await reader.readAll({ limit: 1000 }); page.length; page = await reader.readAll({ after, limit: 1000 })) {
        for (const event of page) byId.set(event.metadata.eventId, event);
        after = page[page.length - 1].position;
      }
      const lost = acknowledged.filter((a) => a.eventIds.some((id) => !byId.has(id)));
      expect(lost).toEqual([]);
      for (const a of acknowledged) {
        const last = byId.get(a.eventIds[a.eventIds.length - 1]);
        expect({ streamId: last?.streamId, revision: last?.revision, position: last?.position })
          .toEqual({ streamId: a.streamId, revision: a.revision, position: a.position });
      }
      for (const a of inDoubt) {
        const present = a.eventIds.filter((id) => byId.has(id)).length;
        expect([0, a.eventIds.length]).toContain(present);
      }
      // The pool of the store that lived through the crash replaces its dead connections.
      const streamId = `case-after-${randomUUID()}`;
      const after = await retry(() => store.append(streamId, [caseEvent(streamId, 'CaseReceived', new Date().toISOString())], 'no_stream'));
      expect((await reader.readStream(streamId)).map((e) => e.position)).toEqual([after.position]);
      const all = [...byId.values(), ...(await reader.readStream(streamId))];
      await eventually(() => followed.length >= all.length, 'the subscription past the restart', 20_000);
      expect(followed.map((e) => e.metadata.eventId)).toEqual(all.map((e) => e.metadata.eventId));
      console.log(`crash: ${acknowledged.length} acknowledged appends (${acknowledged.reduce((n, a) => n + a.eventIds.length, 0)} events) all present; ${inDoubt.length} cut in flight, each whole or absent`);
    } finally {
      await subscription.stop();
      await reader.close();
      await store.close();
    }
  });
});

/** The first attempts may still get a connection the server killed; the pool drops each one that fails. */
async function retry<T>(work: () => Promise<T>, attempts = 20): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await work();
    } catch (error) {
      if (i >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
