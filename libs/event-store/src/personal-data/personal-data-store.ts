import {
  AppendResult, EventStore, ExpectedRevision, NewEvent, Position, ReadAllOptions, ReadStreamOptions, RecordedEvent,
  SubscribeOptions, Subscription,
} from '../event-store.port';
import { holdsPersonalData, PersonalDataPolicy, revealEvent } from './personal-data-cipher';
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
  /**
   * What each stored event object revealed, under which key: a store that hands back its cached
   * (frozen) events gets back the same revealed objects while the key stands (so CaseRepository's fold
   * cache keeps working, and nothing is decrypted twice); a destroyed key no longer matches.
   */
  private readonly revealed = new WeakMap<RecordedEvent, { key: CaseKey; event: RecordedEvent }>();

  constructor(readonly stored: EventStore, private readonly keys: PersonalDataKeys, private readonly policy: PersonalDataPolicy) {
    const storeId = stored.storeId?.bind(stored);
    if (storeId) this.storeId = storeId;
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

  /** One key look-up per case per read; the array itself is handed back when nothing in it is personal. */
  private async revealAll(events: RecordedEvent[]): Promise<RecordedEvent[]> {
    if (!events.some((event) => holdsPersonalData(event, this.policy))) return events;
    const keys = new Map<string, CaseKey>();
    const revealed: RecordedEvent[] = [];
    for (const event of events) revealed.push(await this.reveal(event, keys));
    return revealed;
  }

  private async reveal(event: RecordedEvent, keys: Map<string, CaseKey>): Promise<RecordedEvent> {
    if (!holdsPersonalData(event, this.policy)) return event;
    const caseId = caseIdOf(event);
    if (caseId === null) return event;
    let key = keys.get(caseId);
    if (!key) {
      key = await this.keys.lookup(caseId);
      keys.set(caseId, key);
    }
    const kept = this.revealed.get(event);
    if (kept && sameKey(kept.key, key)) return kept.event;
    const shown = revealEvent(event, key, this.policy);
    if (Object.isFrozen(event)) this.revealed.set(event, { key, event: shown });
    return shown;
  }
}

const sameKey = (a: CaseKey, b: CaseKey): boolean =>
  a.state === 'active' ? b.state === 'active' && a.key.equals(b.key) : a.state === b.state;

/** The bytes as stored, whether given the decrypting store or the store itself. */
export const storedEventsOf = (store: EventStore): EventStore => (store instanceof PersonalDataStore ? store.stored : store);
