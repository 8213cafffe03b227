import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  Actor, CASE_EVENT_SCHEMA_VERSION, CaseEvent, CaseState, evolve, initialCaseState,
} from '@civicloop/domain';
import {
  AppendResult, EVENT_STORE, EventStore, ExpectedRevision, ReadStreamOptions, RecordedEvent,
} from '@civicloop/event-store';
import { Clock, CLOCK, ID_GENERATOR, IdGenerator, randomIdGenerator } from '@civicloop/platform';

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
}

export function foldCase(events: RecordedEvent[]): LoadedCase {
  let state = initialCaseState();
  for (const event of events) state = evolve(state, event as unknown as CaseEvent, event.metadata.occurredAt);
  return { state, revision: events.length ? events[events.length - 1].revision : -1 };
}

@Injectable()
export class CaseRepository {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Optional() @Inject(ID_GENERATOR) private readonly newId: IdGenerator = randomIdGenerator,
  ) {}

  history(caseId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return this.store.readStream(caseStreamId(caseId), options);
  }

  async load(caseId: string, options?: ReadStreamOptions): Promise<LoadedCase> {
    return foldCase(await this.history(caseId, options));
  }

  now(): string {
    return this.clock.now().toISOString();
  }

  append(caseId: string, events: CaseEvent[], revision: number, context: CommandContext, occurredAt = this.now()): Promise<AppendResult> {
    const streamId = caseStreamId(caseId);
    const expected: ExpectedRevision = revision < 0 ? 'no_stream' : revision;
    return this.store.append(streamId, events.map((event) => ({
      type: event.type,
      data: event.data,
      metadata: {
        eventId: this.newId(),
        streamId,
        caseId,
        occurredAt,
        actor: context.actor,
        commandId: context.commandId,
        correlationId: context.correlationId,
        causationId: context.causationId,
        schemaVersion: CASE_EVENT_SCHEMA_VERSION,
      },
    })), expected);
  }
}
