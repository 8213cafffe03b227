import {
  AppendExpectedRevision, BACKWARDS, END, EventStoreDBClient, FORWARDS, jsonEvent,
  START, StreamNotFoundError, WrongExpectedVersionError,
} from '@eventstore/db-client';
import {
  AppendResult, ConcurrencyError, EventStore, ExpectedRevision, NewEvent, Position,
  EventStoreUnreachable, ReadAllOptions, ReadStreamOptions, RecordedEvent, recordedAtOf, SubscribeOptions, Subscription,
} from '../event-store.port';
import { describeEsdb, EsdbEventStoreOptions } from './esdb-options';
import { esdbPosition, fromEsdbPosition, isOwnEvent, toRecorded } from './esdb-mapping';
import { esdbSubscription } from './esdb-subscription';

/**
 * The production store. Streams, revisions and ids are EventStoreDB's own: our metadata.eventId is
 * the EventStoreDB event id, so a retried append is recognised by the server as idempotent.
 * Positions are the $all commit positions (see esdb-mapping.ts for why they fit in a number).
 */
export class EsdbEventStore implements EventStore {
  private constructor(private readonly client: EventStoreDBClient, readonly name: string) {}

  /** Connects and proves the server answers; fails within `connectTimeoutMs` otherwise. */
  static async connect(connectionString: string, { connectTimeoutMs = 5000 }: EsdbEventStoreOptions = {}): Promise<EsdbEventStore> {
    const name = describeEsdb(connectionString);
    const client = EventStoreDBClient.connectionString(connectionString);
    const store = new EsdbEventStore(client, name);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${connectTimeoutMs} ms`)), connectTimeoutMs);
    });
    try {
      await Promise.race([store.headPosition(), timeout]);
      return store;
    } catch (error) {
      // Closing a channel that never connected can itself hang: do not let it delay the failure.
      void client.dispose().catch(() => undefined);
      throw new EventStoreUnreachable(name, error);
    } finally {
      clearTimeout(timer);
    }
  }

  async append(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    if (events.length === 0) throw new Error('append needs at least one event');
    const expectedRevision: AppendExpectedRevision = typeof expected === 'number' ? BigInt(expected) : expected;
    try {
      const result = await this.client.appendToStream(streamId, events.map((event) => jsonEvent({
        id: event.metadata.eventId,
        type: event.type,
        data: event.data,
        metadata: event.metadata,
      })), { expectedRevision });
      const revision = Number(result.nextExpectedRevision);
      // The server reports no position when it recognised the append as a retry: look it up.
      const position = result.position
        ? fromEsdbPosition(result.position)
        : (await this.readStream(streamId, { toRevision: revision })).at(-1)!.position;
      return { revision, position };
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        const actual = error.actualVersion === 'no_stream' || typeof error.actualVersion !== 'bigint'
          ? 'no_stream' : Number(error.actualVersion);
        throw new ConcurrencyError(streamId, expected, actual);
      }
      throw error;
    }
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const maxCount = options.toRevision === undefined ? undefined : options.toRevision + 1;
    if (maxCount !== undefined && maxCount <= 0) return [];
    const events: RecordedEvent[] = [];
    // Each read is consumed to its end: leaving a gRPC read half-read keeps the client from closing.
    try {
      for await (const resolved of this.client.readStream(streamId, { fromRevision: START, direction: FORWARDS, maxCount })) {
        events.push(toRecorded(resolved));
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    if (options.toTime === undefined) return events;
    // The history as it stood at that time is a prefix: stop at the first later event.
    const cutoff = Date.parse(options.toTime);
    const later = events.findIndex((e) => Date.parse(recordedAtOf(e.metadata)) > cutoff);
    return later === -1 ? events : events.slice(0, later);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const limit = options.limit ?? 1000;
    const events: RecordedEvent[] = [];
    let after = options.after ?? null;
    // System events are skipped client side, so a page may need several reads to fill.
    while (events.length < limit) {
      const wanted = limit - events.length + 1;
      let seen = 0;
      for await (const resolved of this.client.readAll({
        fromPosition: after === null ? START : esdbPosition(after), direction: FORWARDS, maxCount: wanted,
      })) {
        seen += 1;
        const position = fromEsdbPosition(resolved.event!.position!);
        // Reading from a position includes the event at that position; the port's `after` does not.
        if (after !== null && position <= after) continue;
        after = position;
        if (isOwnEvent(resolved) && events.length < limit) events.push(toRecorded(resolved));
      }
      if (seen < wanted) break;
    }
    return events;
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    return esdbSubscription(this.client, (o) => this.readAll(o), options);
  }

  async headPosition(): Promise<Position | null> {
    // Read backwards page by page until one of our own events: system events are skipped.
    let before: Position | null = null;
    for (;;) {
      let seen = 0;
      let head: Position | null = null;
      for await (const resolved of this.client.readAll({
        fromPosition: before === null ? END : esdbPosition(before), direction: BACKWARDS, maxCount: 64,
      })) {
        seen += 1;
        const position = fromEsdbPosition(resolved.event!.position!);
        if (before !== null && position >= before) continue;
        if (head === null && isOwnEvent(resolved)) head = position;
        before = position;
      }
      if (head !== null) return head;
      if (seen < 64) return null;
    }
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }
}
