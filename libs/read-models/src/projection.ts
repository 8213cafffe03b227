import { CASE_EVENT_TYPES, CaseEvent, CaseEventType } from '@civicloop/domain';
import { RecordedEvent } from '@civicloop/event-store';
import { OrgLookup } from './org';
import { ViewSettings } from './settings';
import { Row, TableSpec } from './table-spec';

/** Where and when a case event happened, beside the event itself. */
interface EnvelopeMeta {
  caseId: string;
  /** occurredAt from the metadata (the injected clock), never the wall clock of the projector. */
  at: string;
  position: number;
  actorUnitId: string | null;
}

/**
 * One event of a case stream as projections see it: the case event union itself, so each
 * projection switches on `type` exhaustively and a new event type fails the build where unhandled.
 */
export type CaseEventEnvelope = CaseEvent & EnvelopeMeta;

export interface ProjectionEnv {
  org: OrgLookup;
  settings: ViewSettings;
}

export interface RowSink {
  /**
   * Insert or replace the row with the same primary key. The row object is kept as it is (a
   * rebuild holds it until its case falls out of memory) and written later, in whatever state it
   * is then: change it after the put only to make it the same key's next state, and put it again
   * (the board does, its row being its document); otherwise put a new object (`{ ...row, changed }`).
   */
  put(table: string, row: Row): void;
}

/**
 * A projection folds each case's events into a small working document (kept in its own table, so a
 * restart resumes exactly) and writes rows of its read-model tables. It must be deterministic: the
 * same events give the same rows, whether applied one by one or from zero in a rebuild.
 */
export interface Projection<Doc = unknown> {
  name: string;
  /** Bump when the rows it writes change meaning; a runner then rebuilds it. */
  version: number;
  tables: TableSpec[];
  /**
   * When set, the working document of a case is its row in this table (keyed by case_id) and no
   * separate document is kept: the projection puts the row itself.
   */
  stateTable?: string;
  apply(doc: Doc | undefined, event: CaseEventEnvelope, out: RowSink, env: ProjectionEnv): Doc | undefined;
}

export const CASE_STREAM_PREFIX = 'case-';

/**
 * Each case event type by its name: what isCaseEvent checks, in one hash lookup instead of a scan
 * of the list, and it hands back the constant itself, so the projections' switches on the type of
 * each event compare one interned string with another (a pointer) instead of text read from the
 * store against each case label.
 */
export const CASE_TYPES = new Map<string, CaseEventType>(CASE_EVENT_TYPES.map((type) => [type, type]));

/** The candidate is a case event when its type is one (what isCaseEvent decides, too). */
export const isCaseType = <E extends { type: string }>(candidate: E): candidate is E & CaseEvent => CASE_TYPES.has(candidate.type);

export function toEnvelope(event: RecordedEvent): CaseEventEnvelope | null {
  const type = CASE_TYPES.get(event.type);
  if (!event.streamId.startsWith(CASE_STREAM_PREFIX) || type === undefined) return null;
  // One literal of one shape, as the lean reader makes them (see readLeanPages).
  const envelope = {
    type,
    data: event.data,
    caseId: typeof event.metadata.caseId === 'string' ? event.metadata.caseId : event.streamId.slice(CASE_STREAM_PREFIX.length),
    at: event.metadata.occurredAt,
    position: Number(event.position),
    actorUnitId: event.metadata.actor?.unitId ?? null,
  };
  return isCaseType(envelope) ? envelope : null;
}

/** The working documents of a projection: one JSON per case. */
export const docTable = (projection: Pick<Projection, 'name'>): TableSpec => ({
  name: `${projection.name.replace(/-/g, '_')}_docs`,
  columns: { case_id: 'text', doc: 'text' },
  primaryKey: ['case_id'],
});

export const allTables = (projection: Projection): TableSpec[] =>
  (projection.stateTable ? projection.tables : [docTable(projection), ...projection.tables]);
