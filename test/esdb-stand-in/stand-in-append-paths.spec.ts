import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import {
  DeadlineExceededError, EventStoreDBClient, FORWARDS, jsonEvent, START, WrongExpectedVersionError,
} from '@eventstore/db-client';
import { ServerFeaturesClient } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import { SupportedMethods } from '@eventstore/db-client/generated/serverfeatures_pb';
import { Empty } from '@eventstore/db-client/generated/shared_pb';
import { connectEsdb } from '@civicloop/event-store';
import { caseEvent } from '../contract/event-store.contract';
import { STAND_IN_SERVER_VERSION } from './stand-in-features';
import { EsdbStandIn, startEsdbStandIn } from './stand-in-server';

const at = '2026-01-05T09:00:00.000Z';
const event = (n: number) => jsonEvent({ id: randomUUID(), type: `Step${n}`, data: { n, padding: 'x'.repeat(200) } });

describe('EventStoreDB stand-in: the append path the client chooses', () => {
  let standIn: EsdbStandIn | undefined;
  let client: EventStoreDBClient | undefined;
  afterEach(async () => {
    await client?.dispose();
    await standIn?.stop();
    client = standIn = undefined;
  });

  it('answers ServerFeatures as EventStoreDB does: lowercased service and method names, a version', async () => {
    standIn = await startEsdbStandIn();
    const features = new ServerFeaturesClient(`127.0.0.1:${standIn.port}`, grpc.credentials.createInsecure());
    const answer = await new Promise<SupportedMethods>((resolve, reject) =>
      features.getSupportedMethods(new Empty(), (error, methods) => (error ? reject(error) : resolve(methods))));
    features.close();
    expect(answer.getEventStoreServerVersion()).toBe(STAND_IN_SERVER_VERSION);
    expect(answer.getMethodsList().map((m) => [m.getServiceName(), m.getMethodName(), m.getFeaturesList()])).toEqual([
      ['event_store.client.streams.streams', 'read', ['position', 'events']],
      ['event_store.client.streams.streams', 'append', []],
      ['event_store.client.streams.streams', 'batchappend', ['deadline_duration']],
      ['event_store.client.server_features.serverfeatures', 'getsupportedmethods', []],
    ]);
  });

  it.each([
    ['batch-append', 'Streams.BatchAppend', 'Streams.Append'],
    ['append-only', 'Streams.Append', 'Streams.BatchAppend'],
  ] as const)('with %s features, the adapter appends through %s only', async (features, taken, avoided) => {
    standIn = await startEsdbStandIn({ features });
    const store = await connectEsdb(standIn.connectionString);
    try {
      await store.append('case-a', [caseEvent('case-a', 'CaseReceived', at)], 'no_stream');
      await store.append('case-a', [caseEvent('case-a', 'CaseDispatched', at)], 0);
      await expect(store.append('case-a', [caseEvent('case-a', 'NoteAdded', at)], 'no_stream')).rejects.toThrow();
    } finally {
      await store.close();
    }
    expect(standIn.appends).toEqual({ [taken]: 3, [avoided]: 0 });
    expect(standIn.calls['Streams.Append']).toBe(features === 'append-only' ? 3 : 0);
    // The client keeps one BatchAppend stream open and sends every append over it.
    expect(standIn.calls['Streams.BatchAppend']).toBe(features === 'batch-append' ? 1 : 0);
    expect(standIn.log.stream('case-a')?.map((r) => r.type)).toEqual(['CaseReceived', 'CaseDispatched']);
  });

  describe('Streams.BatchAppend', () => {
    beforeEach(async () => {
      standIn = await startEsdbStandIn();
      client = EventStoreDBClient.connectionString(standIn.connectionString);
    });

    it('assembles an append whose events arrive over several requests, applying it once at is_final', async () => {
      // A batch size below one message makes the client send options, then one request per event.
      const result = await client!.appendToStream('case-split', [0, 1, 2, 3, 4].map(event), { expectedRevision: 'no_stream', batchAppendSize: 1 });
      expect(result.nextExpectedRevision).toBe(4n);
      expect(standIn!.appends['Streams.BatchAppend']).toBe(1);
      const stored = standIn!.log.stream('case-split')!;
      expect(stored.map((r) => r.type)).toEqual(['Step0', 'Step1', 'Step2', 'Step3', 'Step4']);
      expect(result.position).toEqual({ commit: stored[4].position, prepare: stored[4].position });
    });

    it('answers concurrent appends on one stream by correlation id', async () => {
      const streams = Array.from({ length: 12 }, (_, i) => `case-concurrent-${i}`);
      const results = await Promise.all(streams.map((stream, i) =>
        client!.appendToStream(stream, Array.from({ length: i + 1 }, (_, n) => event(n)), { expectedRevision: 'no_stream' })));
      expect(results.map((r) => r.nextExpectedRevision)).toEqual(streams.map((_, i) => BigInt(i)));
      expect(standIn!.calls['Streams.BatchAppend']).toBe(1);
    });

    it.each([
      ['no_stream on an existing stream', 'case-wev-1', 'no_stream' as const, 0n],
      ['an exact revision behind the stream', 'case-wev-2', 5n, 0n],
      ['an exact revision on a missing stream', 'case-wev-missing', 0n, 'no_stream' as const],
      ['stream_exists on a missing stream', 'case-wev-missing-2', 'stream_exists' as const, 'no_stream' as const],
    ])('refuses %s with WrongExpectedVersionError carrying stream, expected and actual', async (_, stream, expected, actual) => {
      await client!.appendToStream('case-wev-1', event(0), { expectedRevision: 'no_stream' });
      await client!.appendToStream('case-wev-2', event(0), { expectedRevision: 'no_stream' });
      const refused = await client!.appendToStream(stream, event(1), { expectedRevision: expected }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(WrongExpectedVersionError);
      expect(refused).toMatchObject({ streamName: stream, expectedVersion: expected, actualVersion: actual });
      expect(standIn!.appends).toEqual({ 'Streams.BatchAppend': 3, 'Streams.Append': 0 });
    });

    it('recognises a retried append by event ids and answers without a position', async () => {
      const events = [event(0), event(1)];
      const first = await client!.appendToStream('case-retry', events, { expectedRevision: 'no_stream' });
      const retried = await client!.appendToStream('case-retry', events, { expectedRevision: 'no_stream' });
      expect(first.position).toBeDefined();
      expect(retried).toMatchObject({ success: true, nextExpectedRevision: 1n, position: undefined });
      expect(standIn!.log.stream('case-retry')).toHaveLength(2);
    });

    it('answers an append whose deadline has already passed with a timeout, writing nothing', async () => {
      await expect(client!.appendToStream('case-late', event(0), { deadline: -1000 }))
        .rejects.toBeInstanceOf(DeadlineExceededError);
      expect(standIn!.log.stream('case-late')).toBeUndefined();
      // The stream stays usable for the next append.
      await client!.appendToStream('case-late', event(1), { expectedRevision: 'no_stream' });
      const read = [];
      for await (const resolved of client!.readStream('case-late', { fromRevision: START, direction: FORWARDS })) read.push(resolved.event?.type);
      expect(read).toEqual(['Step1']);
    });
  });
});
