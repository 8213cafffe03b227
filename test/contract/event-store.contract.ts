import { randomUUID } from 'node:crypto';
import { checkCheckpoint, checkpointEventOf, ConcurrencyError, EventStore, NewEvent, RecordedEvent } from '@civicloop/event-store';

export interface ContractSubject {
  store: EventStore;
  cleanup(): Promise<void>;
}

/** A case event as CaseRepository writes it; ids are UUIDs because EventStoreDB requires them. */
export function caseEvent(streamId: string, type: string, occurredAt: string, data: Record<string, unknown> = {}): NewEvent {
  return {
    type,
    data: { ...data, note: '漏水 (leaking roof), building 3' },
    metadata: {
      eventId: randomUUID(),
      streamId,
      caseId: streamId.slice('case-'.length),
      occurredAt,
      actor: { id: 'op-1', role: 'operator', unitId: null },
      commandId: randomUUID(),
      correlationId: randomUUID(),
      causationId: randomUUID(),
      schemaVersion: 1,
    },
  };
}

const newStream = () => `case-${randomUUID()}`;
const at = (minute: number) => new Date(Date.UTC(2026, 0, 5, 9, minute)).toISOString();

/** Waits until `predicate` holds, polling; fails the test with `what` after `ms`. */
export async function eventually(predicate: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * The behaviour every EventStore adapter must share. Streams are fresh per test and $all is read
 * from the head seen at the start, so the suite also runs against a server that holds other data.
 */
export function eventStoreContract(name: string, open: () => Promise<ContractSubject>): void {
  describe(`EventStore contract: ${name}`, () => {
    let subject: ContractSubject;
    let store: EventStore;
    beforeEach(async () => {
      subject = await open();
      store = subject.store;
    });
    afterEach(() => subject.cleanup());

    it('appends to a new stream and reads the events back with data and metadata unchanged', async () => {
      const stream = newStream();
      const events = [caseEvent(stream, 'CaseReceived', at(0), { channel: '12345' }), caseEvent(stream, 'CaseDispatched', at(1), { tier: 'grid' })];
      const result = await store.append(stream, events, 'no_stream');
      expect(result.revision).toBe(1);
      const read = await store.readStream(stream);
      expect(read.map(({ type, data, metadata }) => ({ type, data, metadata }))).toEqual(events);
      expect(read.map((e) => [e.streamId, e.revision])).toEqual([[stream, 0], [stream, 1]]);
      expect(read[1].position).toBe(result.position);
      expect(read[0].position).toBeLessThan(read[1].position);
    });

    it('refuses an append whose expected revision does not match, writing nothing', async () => {
      const stream = newStream();
      await store.append(stream, [caseEvent(stream, 'CaseReceived', at(0))], 'no_stream');
      await expect(store.append(stream, [caseEvent(stream, 'CaseReceived', at(1))], 'no_stream'))
        .rejects.toMatchObject({ constructor: ConcurrencyError, streamId: stream, expected: 'no_stream', actual: 0 });
      await expect(store.append(stream, [caseEvent(stream, 'CaseAccepted', at(1))], 5))
        .rejects.toMatchObject({ constructor: ConcurrencyError, expected: 5, actual: 0 });
      const other = newStream();
      await expect(store.append(other, [caseEvent(other, 'CaseAccepted', at(1))], 0))
        .rejects.toMatchObject({ constructor: ConcurrencyError, expected: 0, actual: 'no_stream' });
      expect(await store.readStream(stream)).toHaveLength(1);
      expect(await store.readStream(other)).toEqual([]);
    });

    it('appends at the exact expected revision and with `any`', async () => {
      const stream = newStream();
      await store.append(stream, [caseEvent(stream, 'CaseReceived', at(0))], 'no_stream');
      expect((await store.append(stream, [caseEvent(stream, 'CaseDispatched', at(1))], 0)).revision).toBe(1);
      expect((await store.append(stream, [caseEvent(stream, 'NoteAdded', at(2))], 'any')).revision).toBe(2);
      expect((await store.readStream(stream)).map((e) => e.type)).toEqual(['CaseReceived', 'CaseDispatched', 'NoteAdded']);
    });

    it('treats a retried append (same event ids) as a no-op returning the first result', async () => {
      const stream = newStream();
      await store.append(stream, [caseEvent(stream, 'CaseReceived', at(0))], 'no_stream');
      const retried = [caseEvent(stream, 'CaseDispatched', at(1)), caseEvent(stream, 'NoteAdded', at(1))];
      const first = await store.append(stream, retried, 0);
      const second = await store.append(stream, retried, 0);
      expect(second).toEqual(first);
      const history = await store.readStream(stream);
      expect(history.map((e) => e.metadata.eventId)).toEqual([expect.any(String), ...retried.map((e) => e.metadata.eventId)]);
      const all = await store.readAll({ after: history[0].position, limit: 100 });
      expect(all.filter((e) => e.streamId === stream)).toHaveLength(2);
    });

    it('reads a stream up to a revision and as it stood at a time', async () => {
      const stream = newStream();
      await store.append(stream, [0, 1, 2, 3].map((m) => caseEvent(stream, `Step${m}`, at(m * 10))), 'no_stream');
      expect((await store.readStream(stream, { toRevision: 1 })).map((e) => e.type)).toEqual(['Step0', 'Step1']);
      expect((await store.readStream(stream, { toTime: at(25) })).map((e) => e.type)).toEqual(['Step0', 'Step1', 'Step2']);
      expect((await store.readStream(stream, { toTime: at(0) })).map((e) => e.type)).toEqual(['Step0']);
      expect(await store.readStream(newStream())).toEqual([]);
    });

    it('reads $all in global append order, page by page, and reports the head', async () => {
      const start = await store.headPosition();
      const [a, b] = [newStream(), newStream()];
      await store.append(a, [caseEvent(a, 'CaseReceived', at(0))], 'no_stream');
      await store.append(b, [caseEvent(b, 'CaseReceived', at(1)), caseEvent(b, 'CaseDispatched', at(1))], 'no_stream');
      const last = await store.append(a, [caseEvent(a, 'CaseDispatched', at(2))], 0);
      const all = await store.readAll({ after: start, limit: 100 });
      expect(all.map((e) => `${e.streamId === a ? 'a' : 'b'}:${e.type}`))
        .toEqual(['a:CaseReceived', 'b:CaseReceived', 'b:CaseDispatched', 'a:CaseDispatched']);
      const positions = all.map((e) => e.position);
      expect([...positions].sort((x, y) => x - y)).toEqual(positions);
      expect(new Set(positions).size).toBe(4);
      const paged: RecordedEvent[] = [];
      for (let after = start, page = await store.readAll({ after, limit: 3 }); page.length; page = await store.readAll({ after, limit: 3 })) {
        expect(page.length).toBeLessThanOrEqual(3);
        paged.push(...page);
        after = page[page.length - 1].position;
      }
      expect(paged.map((e) => e.metadata.eventId)).toEqual(all.map((e) => e.metadata.eventId));
      expect(await store.headPosition()).toBe(last.position);
    });

    it('finds the event a checkpoint stands on by its stream and revision, at the position $all gave it', async () => {
      const start = await store.headPosition();
      const stream = newStream();
      await store.append(stream, [caseEvent(stream, 'E0', at(0)), caseEvent(stream, 'E1', at(1))], 'no_stream');
      const [first, second] = (await store.readAll({ after: start, limit: 100 })).filter((e) => e.streamId === stream);
      for (const event of [first, second]) {
        expect(await checkCheckpoint(store, event.position, checkpointEventOf(event))).toEqual({ verdict: 'same', position: event.position });
      }
      // What a checkpoint carried over from another store looks like: its event elsewhere, or not here at all.
      expect(await checkCheckpoint(store, second.position, checkpointEventOf(first))).toEqual({ verdict: 'moved', position: first.position });
      const ref = checkpointEventOf(first);
      for (const foreign of [{ ...ref, eventId: randomUUID() }, { ...ref, streamId: newStream() }, { ...ref, revision: 5 }]) {
        expect(await checkCheckpoint(store, first.position, foreign)).toEqual({ verdict: 'absent' });
      }
    });

    it('subscribes: catches up from a checkpoint, goes live, and resumes from the stored checkpoint', async () => {
      const start = await store.headPosition();
      const stream = newStream();
      await store.append(stream, [caseEvent(stream, 'E0', at(0)), caseEvent(stream, 'E1', at(1))], 'no_stream');
      const seen: RecordedEvent[] = [];
      let live = false;
      let checkpoint = start;
      const first = store.subscribeToAll({
        after: start,
        handler: (event) => {
          if (event.streamId === stream) seen.push(event);
          checkpoint = event.position;
        },
        onLive: () => { live = true; },
      });
      await eventually(() => live && seen.length === 2, 'catch-up and live');
      await store.append(stream, [caseEvent(stream, 'E2', at(2))], 1);
      await eventually(() => seen.length === 3, 'the live event');
      await first.stop();

      await store.append(stream, [caseEvent(stream, 'E3', at(3)), caseEvent(stream, 'E4', at(4))], 2);
      const resumed: RecordedEvent[] = [];
      const second = store.subscribeToAll({ after: checkpoint, handler: (event) => { if (event.streamId === stream) resumed.push(event); } });
      await eventually(() => resumed.length >= 2, 'events after the checkpoint');
      await store.append(stream, [caseEvent(stream, 'E5', at(5))], 4);
      await eventually(() => resumed.length >= 3, 'the next live event');
      await second.stop();
      expect(seen.map((e) => e.type)).toEqual(['E0', 'E1', 'E2']);
      expect(resumed.map((e) => e.type)).toEqual(['E3', 'E4', 'E5']);
    });

    it('stops a subscription whose handler throws and reports the error', async () => {
      const start = await store.headPosition();
      const stream = newStream();
      await store.append(stream, [caseEvent(stream, 'E0', at(0)), caseEvent(stream, 'E1', at(1))], 'no_stream');
      const handled: string[] = [];
      let failure: unknown;
      const subscription = store.subscribeToAll({
        after: start,
        handler: (event) => {
          if (event.streamId !== stream) return;
          if (event.type === 'E1') throw new Error('projection broke');
          handled.push(event.type);
        },
        onError: (error) => { failure = error; },
      });
      await eventually(() => failure !== undefined, 'the handler error');
      await subscription.stop();
      expect((failure as Error).message).toBe('projection broke');
      expect(handled).toEqual(['E0']);
    });
  });
}
