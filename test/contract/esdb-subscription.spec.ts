import { connectEsdb, EsdbEventStore, RecordedEvent } from '@civicloop/event-store';
import { EsdbStandIn, startEsdbStandIn } from '../esdb-stand-in/stand-in-server';
import { caseEvent, eventually } from './event-store.contract';

/** EventStoreDB-specific duties the SQLite adapter does not have: system events, dropped connections. */
describe('EventStoreDB adapter subscription (over the stand-in)', () => {
  let standIn: EsdbStandIn;
  let store: EsdbEventStore;
  beforeEach(async () => {
    standIn = await startEsdbStandIn();
    store = await connectEsdb(standIn.connectionString);
  });
  afterEach(async () => {
    await store.close();
    await standIn.stop();
  });

  it('never hands system events ($-prefixed streams and types) to the handler, in catch-up or live', async () => {
    standIn.log.writeSystemEvent('$stats-127.0.0.1:2113', '$statsCollected');
    await store.append('case-a', [caseEvent('case-a', 'CaseReceived', '2026-01-05T09:00:00.000Z')], 'no_stream');
    const seen: RecordedEvent[] = [];
    let live = false;
    const subscription = store.subscribeToAll({ handler: (e) => { seen.push(e); }, onLive: () => { live = true; } });
    await eventually(() => live && seen.length === 1, 'catch-up');
    standIn.log.writeSystemEvent('$scavenges', '$scavengeStarted');
    await store.append('case-a', [caseEvent('case-a', 'CaseDispatched', '2026-01-05T09:01:00.000Z')], 0);
    await eventually(() => seen.length === 2, 'the live event');
    await subscription.stop();
    expect(seen.map((e) => e.type)).toEqual(['CaseReceived', 'CaseDispatched']);
    expect(standIn.log.records.filter((r) => r.type.startsWith('$'))).toHaveLength(3);
    expect((await store.readAll()).map((e) => e.type)).toEqual(['CaseReceived', 'CaseDispatched']);
    expect(await store.headPosition()).toBe(seen[1].position);
  });

  it('resubscribes after the server drops the subscription, from the last handled event, without gaps or repeats', async () => {
    const seen: string[] = [];
    const subscription = store.subscribeToAll({ handler: (e) => { seen.push(e.type); } });
    await store.append('case-b', [caseEvent('case-b', 'E0', '2026-01-05T09:00:00.000Z')], 'no_stream');
    await eventually(() => seen.length === 1, 'the first event');
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    standIn.dropSubscriptions();
    await store.append('case-b', [caseEvent('case-b', 'E1', '2026-01-05T09:01:00.000Z')], 0);
    await eventually(() => seen.length === 2, 'the event written while disconnected');
    await store.append('case-b', [caseEvent('case-b', 'E2', '2026-01-05T09:02:00.000Z')], 1);
    await eventually(() => seen.length === 3, 'the live event after resubscribing');
    await subscription.stop();
    expect(seen).toEqual(['E0', 'E1', 'E2']);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/subscription dropped .*retrying in \d+ ms/));
    warn.mockRestore();
  });
});
