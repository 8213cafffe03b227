import { randomUUID } from 'node:crypto';
import { CommandHandler, Event, ProjectionDefinition } from '@event-driven-io/emmett';
import {
  appendToStream, createEventStoreSchema, getSQLiteEventStore, SQLiteConnection, sqliteConnection, SQLiteEventStore, SQLiteReadEventMetadata,
} from '@event-driven-io/emmett-sqlite';
import { Actor, authorize, CaseCommand, CaseEvent, CaseState, decide, evolve, initialCaseState, isCaseEvent } from '@civicloop/domain';
import { Directory } from '@civicloop/directory';
import { RecordedEvent } from '@civicloop/event-store';
import { OrgLookup } from '@civicloop/read-models';

/** Emmett's events carry our case events' type and data and the same metadata fields as ours. */
type PeerEvent = Event<string, Record<string, unknown>, Record<string, unknown>>;

/** A case event as Emmett hands it back (its ReadEvent), checked rather than cast. */
function caseEventOf(event: { type: string; data: Record<string, unknown> }): CaseEvent {
  if (!isCaseEvent(event)) throw new Error(`not a case event: ${event.type}`);
  return event;
}

const occurredAt = (event: { metadata?: Record<string, unknown> }) => String(event.metadata?.occurredAt ?? '');

/**
 * The journal and sync modes a connection of Emmett's store has: it opens one per operation through
 * `sqliteConnection` (which sets WAL) and keeps node-sqlite3's compiled-in synchronous default.
 */
export async function emmettDurability(fileName: string): Promise<{ journalMode: string; synchronous: number }> {
  const connection = sqliteConnection({ fileName });
  try {
    const journal = await connection.querySingle<{ journal_mode: string }>('PRAGMA journal_mode');
    const sync = await connection.querySingle<{ synchronous: number }>('PRAGMA synchronous');
    return { journalMode: journal?.journal_mode ?? 'unknown', synchronous: sync?.synchronous ?? -1 };
  } finally {
    connection.close();
  }
}

/**
 * Emmett 0.38's SQLite append runs its `INSERT … RETURNING` through node-sqlite3's `get`, whose
 * statement is sometimes not finalized yet when COMMIT runs: the commit then fails with SQLITE_BUSY
 * ("SQL statements in progress") and rolls back. We retry such an operation as a user would, count
 * the retries (reported with the figures) and keep the time they took on Emmett's side.
 */
export const busyRetries = { count: 0 };
async function retryBusy<T>(operation: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      const busy = error instanceof Error && 'code' in error && error.code === 'SQLITE_BUSY';
      if (!busy || attempt >= 20) throw error;
      busyRetries.count++;
    }
  }
}

export const openEmmettStore = (fileName: string): SQLiteEventStore => getSQLiteEventStore({ fileName });

/** One event per commit through Emmett's store (its connection per operation, as shipped); versions count from 0n = no stream. */
export async function emmettAppend(store: SQLiteEventStore, streamId: string, event: PeerEvent, expectedVersion: bigint): Promise<void> {
  await retryBusy(() => store.appendToStream(streamId, [event], { expectedStreamVersion: expectedVersion }));
}

/**
 * The same decider as ours (authorize + decide + evolve from libs/domain) inside Emmett's
 * CommandHandler: aggregateStream → handle → appendToStream with the version that was read.
 */
const handle = CommandHandler<CaseState, PeerEvent>({
  initialState: initialCaseState,
  evolve: (state, event) => evolve(state, caseEventOf(event), occurredAt(event)),
  mapToStreamId: (id) => `case-${id}`,
});

export async function emmettCommand(store: SQLiteEventStore, caseId: string, command: CaseCommand, actor: Actor, directory: Directory): Promise<void> {
  await retryBusy(() => handle(store, caseId, (state) => {
    authorize(command, state, actor, directory);
    const now = new Date().toISOString();
    const commandId = randomUUID();
    return decide(command, state, { actor, now, directory }).map((e) => ({
      type: e.type, data: { ...e.data },
      metadata: {
        eventId: randomUUID(), caseId, occurredAt: now, actor, commandId, correlationId: commandId, causationId: commandId, schemaVersion: 1,
      },
    }));
  }));
}

/** Copies our log into Emmett's store in global order, many appends per transaction (setup, not measured). */
export async function copyLog(fileName: string, events: AsyncIterable<RecordedEvent[]>): Promise<number> {
  const connection = sqliteConnection({ fileName });
  await createEventStoreSchema(connection);
  let copied = 0;
  try {
    for await (const page of events) {
      await retryBusy(() => connection.withTransaction(async () => {
        for (const e of page) {
          await appendToStream(connection, e.streamId, 'case', [{ type: e.type, data: { ...e.data }, metadata: { ...e.metadata } }]);
        }
      }));
      copied += page.length;
    }
  } finally {
    connection.close();
  }
  return copied;
}

/** A board-like read model: the columns a dispatcher filters and sorts by, one row per case. */
const BOARD_DDL = `CREATE TABLE IF NOT EXISTS peer_board (
  case_id TEXT PRIMARY KEY, status TEXT, tier TEXT, assignee_id TEXT, compound_id TEXT, grid_id TEXT, community_id TEXT,
  street_id TEXT, district_id TEXT, category TEXT, channel TEXT, urgency TEXT, received_at TEXT, dispatched_at TEXT,
  accepted_at TEXT, resolved_at TEXT, closed_at TEXT, returns INTEGER, escalations INTEGER, whistles INTEGER, rating TEXT,
  updated_at TEXT, position INTEGER)`;
const BOARD_COLUMNS = [
  'case_id', 'status', 'tier', 'assignee_id', 'compound_id', 'grid_id', 'community_id', 'street_id', 'district_id', 'category',
  'channel', 'urgency', 'received_at', 'dispatched_at', 'accepted_at', 'resolved_at', 'closed_at', 'returns', 'escalations',
  'whistles', 'rating', 'updated_at', 'position',
] as const;
type BoardRow = Record<(typeof BOARD_COLUMNS)[number], string | number | null>;

/** Folds one event into the case's row: the idiomatic Emmett SQLite projection (read, change, write per event). */
function boardRow(row: BoardRow | null, event: CaseEvent, at: string, position: number, caseId: string, org: OrgLookup): BoardRow | null {
  if (event.type === 'CaseReceived') {
    const area = org.area(event.data.compoundId);
    return {
      case_id: caseId, status: 'received', tier: null, assignee_id: null, compound_id: event.data.compoundId, grid_id: area.gridId,
      community_id: area.communityId, street_id: area.streetId, district_id: area.districtId, category: event.data.category,
      channel: event.data.channel, urgency: event.data.urgency, received_at: at, dispatched_at: null, accepted_at: null,
      resolved_at: null, closed_at: null, returns: 0, escalations: 0, whistles: 0, rating: null, updated_at: at, position,
    };
  }
  if (!row) return null;
  const next: BoardRow = { ...row, updated_at: at, position };
  const count = (column: 'returns' | 'escalations' | 'whistles') => Number(next[column] ?? 0) + 1;
  switch (event.type) {
    case 'CaseDispatched': return { ...next, status: 'dispatched', tier: event.data.tier, assignee_id: event.data.assigneeId, dispatched_at: at };
    case 'CaseAccepted': return { ...next, status: 'accepted', accepted_at: at };
    case 'CaseReturned': return { ...next, status: 'received', tier: null, assignee_id: null, returns: count('returns') };
    case 'CaseEscalated': return { ...next, tier: event.data.toTier, assignee_id: event.data.toAssigneeId, escalations: count('escalations') };
    case 'CaseResolved': return { ...next, status: 'resolved', resolved_at: at };
    case 'WhistleBlown': return { ...next, whistles: count('whistles') };
    case 'CaseRated': return { ...next, rating: event.data.rating };
    case 'CaseReopened': return { ...next, status: 'received', tier: null, assignee_id: null, resolved_at: null };
    case 'CaseClosed': return { ...next, status: 'closed', closed_at: at };
    default: return next;
  }
}

type BoardProjection = ProjectionDefinition<PeerEvent, SQLiteReadEventMetadata, { connection: SQLiteConnection }>;

export function emmettBoardProjection(org: OrgLookup, caseEventTypes: string[]): BoardProjection {
  const insert = `INSERT OR REPLACE INTO peer_board (${BOARD_COLUMNS.join(',')}) VALUES (${BOARD_COLUMNS.map(() => '?').join(',')})`;
  return {
    name: 'peer_board',
    canHandle: caseEventTypes,
    handle: async (events, { connection }) => {
      for (const event of events) {
        const caseId = event.metadata.streamName.slice('case-'.length);
        const current = await connection.querySingle<BoardRow>('SELECT * FROM peer_board WHERE case_id = ?', [caseId]);
        const row = boardRow(current, caseEventOf(event), occurredAt(event), Number(event.metadata.globalPosition), caseId, org);
        if (row) await connection.command(insert, BOARD_COLUMNS.map((c) => row[c]));
      }
    },
  };
}

/**
 * Replays the whole log through Emmett's consumer and a projection processor from the beginning,
 * until the last event; the projection's connection is set to the read models' durability (WAL,
 * synchronous=NORMAL) and reported. Returns seconds and the sync mode found.
 */
export async function emmettRebuild(fileName: string, org: OrgLookup, caseEventTypes: string[], lastPosition: bigint, batchSize: number)
  : Promise<{ seconds: number; synchronous: number }> {
  const setup = sqliteConnection({ fileName });
  await setup.command(BOARD_DDL);
  setup.close();
  const store = getSQLiteEventStore({ fileName });
  const consumer = store.consumer({ pulling: { batchSize, pullingFrequencyInMs: 0 } });
  let synchronous = -1;
  const processor = consumer.processor({
    processorId: `peer-board-${randomUUID()}`,
    projection: emmettBoardProjection(org, caseEventTypes),
    startFrom: 'BEGINNING',
    stopAfter: (message) => message.metadata.globalPosition >= lastPosition,
  });
  // The consumer hands its connection to each processor's start, before any transaction: the one
  // place a sync mode can be set on it (SQLite refuses inside a transaction).
  const start = processor.start;
  processor.start = async (connection) => {
    synchronous = await matchReadModels(connection);
    return start(connection);
  };
  const started = performance.now();
  await consumer.start();
  const seconds = (performance.now() - started) / 1000;
  await consumer.close();
  return { seconds, synchronous };
}

async function matchReadModels(connection: SQLiteConnection): Promise<number> {
  await connection.command('PRAGMA synchronous = NORMAL');
  return (await connection.querySingle<{ synchronous: number }>('PRAGMA synchronous'))?.synchronous ?? -1;
}

export async function emmettBoardRows(fileName: string): Promise<number> {
  const connection = sqliteConnection({ fileName });
  try {
    return (await connection.querySingle<{ n: number }>('SELECT count(*) AS n FROM peer_board'))?.n ?? 0;
  } finally {
    connection.close();
  }
}
