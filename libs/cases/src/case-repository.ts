import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  Actor, CASE_EVENT_SCHEMA_VERSION, CaseEvent, CaseState, evolve, initialCaseState,
} from '@civicloop/domain';
import {
  AppendResult, EVENT_STORE, EventStore, ExpectedRevision, holdsPersonalData, keyIdOf, NewEvent, PERSONAL_DATA_KEYS, PersonalDataKeys,
  protectEvent, ReadStreamOptions, RecordedEvent, storedEventsOf,
} from '@civicloop/event-store';
import { Clock, CLOCK, ID_GENERATOR, IdGenerator, PERSONAL_DATA_POLICY, randomIdGenerator } from '@civicloop/platform';
import { GENESIS_HASH, linkHashOf, sealEvents } from '@civicloop/audit';

export const caseStreamId = (caseId: string) => `case-${caseId}`;

/** Who asked, and which request: copied into the metadata of every event a command writes. */
export interface CommandContext {
  actor: Actor;
  commandId: string;
  correlationId: string;
  causationId: string;
}

export interface LoadedCase {
  state: CaseState;
  /** Revision of the last event folded, -1 when the case does not exist. */
  revision: number;
  /** Global position of the last event folded, -1 when the case does not exist. */
  position: number;
  /** The events folded, oldest first (deadline computations read them again). */
  events: readonly RecordedEvent[];
  /** Hash of the last event folded, which the next append links to (libs/audit: the per-stream chain). */
  hash?: string;
}

/** Events of a case stream hold case events: the one gate is the only writer of these streams. */
const asCaseEvent = (event: RecordedEvent): CaseEvent => event as unknown as CaseEvent;

export function foldCase(events: readonly RecordedEvent[], from?: LoadedCase): LoadedCase {
  let state = from?.state ?? initialCaseState();
  for (let i = (from?.revision ?? -1) + 1; i < events.length; i++) {
    state = evolve(state, asCaseEvent(events[i]), events[i].metadata.occurredAt);
  }
  const last = events.length ? events[events.length - 1] : undefined;
  return { state, revision: last?.revision ?? -1, position: last?.position ?? -1, events, hash: last ? linkHashOf(last) : GENESIS_HASH };
}

const FOLDS_KEPT = 2_000;

/** Whether `later` begins with the very event objects of `earlier` (a pointer check each: 200 take well under a µs). */
const sameEvents = (earlier: readonly RecordedEvent[], later: readonly RecordedEvent[]): boolean => {
  if (earlier.length > later.length) return false;
  for (let i = 0; i < earlier.length; i++) if (earlier[i] !== later[i]) return false;
  return true;
};

@Injectable()
export class CaseRepository {
  /**
   * The last full fold of recently loaded cases (with the events it folded). The access
   * guard, the command handler and GET /cases/{id} each fold the same case; a 200-event fold is a
   * fifth of a read. A fold is reused only when the store hands back the very same event objects
   * up to its revision (the SQLite store shares its cached, frozen events; stores that build new
   * objects on every read simply refold). Every one is compared, not only the last: once a case's
   * key is destroyed the personal-data store reveals its events anew (reading 已删除), and a fold
   * kept from before must not carry the old texts on, nor the destroyed key they were opened with,
   * even when the erasure's own event was never written. States are never mutated (evolve returns
   * new objects), so sharing one is safe.
   */
  private readonly folds = new Map<string, LoadedCase>();
  /** How many times a case was loaded: the one gate loads once per attempt, and tests hold it to that. */
  loads = 0;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Optional() @Inject(ID_GENERATOR) private readonly newId: IdGenerator = randomIdGenerator,
    @Optional() @Inject(PERSONAL_DATA_KEYS) private readonly keys?: PersonalDataKeys,
  ) {}

  history(caseId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return this.store.readStream(caseStreamId(caseId), options);
  }

  /** The history as stored, personal data still encrypted: what the hash chain covers (the dossier's proof). */
  storedHistory(caseId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return storedEventsOf(this.store).readStream(caseStreamId(caseId), options);
  }

  async load(caseId: string, options?: ReadStreamOptions): Promise<LoadedCase> {
    const events = await this.history(caseId, options);
    const kept = this.folds.get(caseId);
    this.loads++;
    const reusable = kept !== undefined && sameEvents(kept.events, events);
    const loaded = foldCase(events, reusable ? kept : undefined);
    if (options === undefined && events.length) {
      this.folds.delete(caseId); // re-inserted last: the Map's first key is the least recently loaded
      this.folds.set(caseId, loaded);
      if (this.folds.size > FOLDS_KEPT) this.folds.delete(this.folds.keys().next().value!);
    }
    return loaded;
  }

  now(): string {
    return this.clock.now().toISOString();
  }

  /**
   * The one place case events are written, with two times on every event: `occurredAt`, the
   * business time (for a deadline event its due time, so a worker outage moves no figure), and
   * `recordedAt`, when it was appended (asOf cuts on it). `previousHash` is the hash of the event at
   * `revision` from the same load (LoadedCase.hash); without it, it is read here. Either way an append
   * whose revision is stale is refused by the store, so the link can never point at the wrong event.
   */
  async append(
    caseId: string, events: CaseEvent[], revision: number, context: CommandContext, occurredAt = this.now(), previousHash?: string,
  ): Promise<AppendResult> {
    const streamId = caseStreamId(caseId);
    const recordedAt = this.now();
    const expected: ExpectedRevision = revision < 0 ? 'no_stream' : revision;
    const prevHash = previousHash ?? (revision < 0 ? GENESIS_HASH : (await this.load(caseId, { toRevision: revision })).hash ?? GENESIS_HASH);
    const stored = await this.protect(caseId, events.map((event) => ({
      type: event.type,
      data: event.data,
      metadata: {
        eventId: this.newId(),
        streamId,
        caseId,
        occurredAt,
        recordedAt,
        actor: context.actor,
        commandId: context.commandId,
        correlationId: context.correlationId,
        causationId: context.causationId,
        schemaVersion: CASE_EVENT_SCHEMA_VERSION,
      },
    })), recordedAt, revision < 0);
    return this.store.append(streamId, sealEvents(streamId, revision + 1, prevHash, stored), expected);
  }

  /**
   * Residents' personal data is encrypted with the case's key before it is sealed, so the chain covers
   * ciphertext. An erasure destroys the key before its event is recorded: a crash in between leaves
   * data that already reads 已删除, and the erasure is simply issued again. Every key the case's events
   * name is destroyed, not only the one on record for the case (whose record is not fsynced alone).
   */
  private async protect(caseId: string, events: NewEvent[], at: string, newCase: boolean): Promise<NewEvent[]> {
    if (!this.keys) return events;
    if (events.some((event) => event.type === 'PersonalDataErased')) {
      const named = (await this.storedHistory(caseId)).map(keyIdOf).filter((keyId): keyId is string => keyId !== null);
      await this.keys.destroy(caseId, at, [...new Set(named)]);
    }
    if (!events.some((event) => holdsPersonalData(event, PERSONAL_DATA_POLICY))) return events;
    const caseKey = await this.keys.obtain(caseId, { newCase });
    return events.map((event) => protectEvent(event, caseKey, PERSONAL_DATA_POLICY));
  }
}
