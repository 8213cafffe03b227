import {
  AppendResult, EventStore, ExpectedRevision, LeanEvent, LeanReadOptions, NewEvent, Position, ReadAllOptions, ReadStreamOptions, RecordedEvent,
  SubscribeOptions, Subscription,
} from '../event-store.port';
import { holdsPersonalData, keyIdOf, PersonalDataPolicy, revealLeanData, revealPersonal } from './personal-data-cipher';
import { CaseKey, PersonalDataKeys } from './personal-data-keys.port';

/** The case an event belongs to: its metadata says so; events from before that field, their stream. */
export const caseIdOf = (event: { streamId: string; metadata: Record<string, unknown> }): string | null => {
  if (typeof event.metadata.caseId === 'string') return event.metadata.caseId;
  return event.streamId.startsWith('case-') ? event.streamId.slice('case-'.length) : null;
};

/**
 * The event store every reader in the process gets: events come back with residents' personal data
 * decrypted with the case's key, or erased once the key is destroyed. Appends pass through untouched
 * (CaseRepository encrypts before it seals, so the hash chains cover ciphertext). What hashes the
 * stored bytes (the chain follower, `audit verify`, the dossier's proof, migrate) reads `stored`.
 */
export class PersonalDataStore implements EventStore {
  readonly storeId?: () => Promise<string>;
  readonly writerStatus?: () => Promise<Record<string, string | number>>;
  /**
   * A rebuild's lean reads, when the store underneath has them, with the personal texts revealed as
   * readAll reveals them (never the inner store's own: it would hand a rebuild the ciphertext).
   * Through readAll instead, a rebuild parsed every event's metadata and made a RecordedEvent of it.
   */
  readonly readAllLean?: (options: LeanReadOptions) => Promise<LeanEvent[]>;
  /**
   * What each stored event object revealed, under which key: a store that hands back its cached
   * (frozen) events gets back the same revealed objects while the key stands (so CaseRepository's fold
   * cache keeps working, and nothing is decrypted twice); a destroyed key no longer matches.
   */
  private readonly revealed = new WeakMap<RecordedEvent, { key: CaseKey; event: RecordedEvent }>();

  constructor(readonly stored: EventStore, private readonly keys: PersonalDataKeys, private readonly policy: PersonalDataPolicy) {
    const storeId = stored.storeId?.bind(stored);
    if (storeId) this.storeId = storeId;
    const writerStatus = stored.writerStatus?.bind(stored);
    if (writerStatus) this.writerStatus = writerStatus;
    const readLean = stored.readAllLean?.bind(stored);
    if (readLean) this.readAllLean = (options) => this.readLeanRevealed(readLean, options);
  }

  append(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    return this.stored.append(streamId, events, expected);
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return this.revealAll(await this.stored.readStream(streamId, options));
  }

  async readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.revealAll(await this.stored.readAll(options));
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    return this.stored.subscribeToAll({ ...options, handler: async (event) => options.handler(await this.reveal(event, new Map())) });
  }

  headPosition(): Promise<Position | null> {
    return this.stored.headPosition();
  }

  async close(): Promise<void> {
    await this.stored.close();
  }

  /**
   * One key look-up per key (or per case, for events that name no key) per read, then every event
   * revealed without awaiting; the array itself is handed back when nothing in it is personal. A
   * case's events mostly name one key: the last one found is tried before the map.
   */
  private async revealAll(events: RecordedEvent[]): Promise<RecordedEvent[]> {
    let shown: RecordedEvent[] | null = null;
    const keys = new Map<string, CaseKey>();
    let lastKeyId: string | null = null;
    let lastKey: CaseKey | undefined;
    for (let i = 0; i < events.length; i++) {
      const event = events[i];
      if (!holdsPersonalData(event, this.policy)) continue;
      // Most events name their key: the same id as the last one needs no look-up text built.
      const keyId = keyIdOf(event);
      if (keyId === null || keyId !== lastKeyId) {
        const ref = this.keyRefOf(event);
        if (ref === null) continue;
        let key = keys.get(ref);
        if (!key) keys.set(ref, key = this.peek(ref) ?? await this.lookup(ref));
        lastKeyId = keyId;
        lastKey = key;
      }
      shown ??= events.slice();
      shown[i] = this.revealWith(event, lastKey);
    }
    return shown ?? events;
  }

  /**
   * The inner store's lean read with two more metadata fields asked for (where the key is found),
   * taken off again; new event objects, with the revealed data where the events hold personal texts.
   */
  private async readLeanRevealed(read: (options: LeanReadOptions) => Promise<LeanEvent[]>, options: LeanReadOptions): Promise<LeanEvent[]> {
    const asked = options.fields.length;
    const events = await read({ ...options, fields: [...options.fields, 'keyId', 'caseId'] });
    const keys = new Map<string, CaseKey>();
    // New objects, not the inner store's: one that kept its lean events (a cache) must not get plaintext written into them.
    const revealed: LeanEvent[] = new Array(events.length);
    for (let i = 0; i < events.length; i++) {
      const event = events[i];
      const metadata = { keyId: event.fields[asked], caseId: event.fields[asked + 1] };
      const ref = this.keyRefOf({ type: event.type, data: event.data, streamId: event.streamId, metadata });
      let key = ref === null ? undefined : keys.get(ref);
      if (ref !== null && !key) keys.set(ref, key = this.peek(ref) ?? await this.lookup(ref));
      revealed[i] = { ...event, fields: event.fields.slice(0, asked), data: key ? revealLeanData(event, key, this.policy) : event.data };
    }
    return revealed;
  }

  private async reveal(event: RecordedEvent, keys: Map<string, CaseKey>): Promise<RecordedEvent> {
    const ref = this.keyRefOf(event);
    if (ref !== null && !keys.has(ref)) keys.set(ref, await this.lookup(ref));
    return this.revealWith(event, ref === null ? undefined : keys.get(ref));
  }

  /** Where an event's key is found: by the id it names, else by its case; null when it holds no personal data. */
  private keyRefOf(event: { type: string; data: Record<string, unknown>; streamId: string; metadata: Record<string, unknown> }): string | null {
    if (!holdsPersonalData(event, this.policy)) return null;
    const keyId = keyIdOf(event);
    if (keyId !== null) return `k:${keyId}`;
    const caseId = caseIdOf(event);
    return caseId === null ? null : `c:${caseId}`;
  }

  private peek(ref: string): CaseKey | undefined {
    return this.keys.peek?.(ref.startsWith('k:') ? 'key' : 'case', ref.slice(2));
  }

  private lookup(ref: string): Promise<CaseKey> {
    return ref.startsWith('k:') ? this.keys.lookupKey(ref.slice(2)) : this.keys.lookup(ref.slice(2));
  }

  private revealWith(event: RecordedEvent, key: CaseKey | undefined): RecordedEvent {
    if (!key) return event;
    // Only a store's cached events are frozen (and come back again): only those are worth remembering.
    if (!Object.isFrozen(event)) return revealPersonal(event, key, this.policy);
    const kept = this.revealed.get(event);
    if (kept && sameKey(kept.key, key)) return kept.event;
    const shown = revealPersonal(event, key, this.policy);
    this.revealed.set(event, { key, event: shown });
    return shown;
  }
}

const sameKey = (a: CaseKey, b: CaseKey): boolean =>
  a.state === 'active' ? b.state === 'active' && a.key.equals(b.key) : a.state === b.state;

/** The bytes as stored, whether given the decrypting store or the store itself. */
export const storedEventsOf = (store: EventStore): EventStore => (store instanceof PersonalDataStore ? store.stored : store);
