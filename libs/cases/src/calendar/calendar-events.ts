import { randomUUID } from 'node:crypto';
import { Actor } from '@civicloop/domain';
import { CalendarYear } from '@civicloop/deadlines';
import { linkHashOf, sealEvents } from '@civicloop/audit';
import { AppendResult, EventStore, RecordedEvent } from '@civicloop/event-store';

/**
 * A calendar year imported after the build (the State Council's arrangement, published each
 * autumn) is a fact in the event store, on its own stream `calendar-<year>`: it migrates, replays
 * and is audited with everything else, and every instance reading the store sees it.
 */
export const CALENDAR_STREAM = 'calendar-';
export const CALENDAR_YEAR_IMPORTED = 'CalendarYearImported';
export const calendarStreamId = (year: number) => `${CALENDAR_STREAM}${year}`;
export const isCalendarEvent = (event: RecordedEvent) =>
  event.streamId.startsWith(CALENDAR_STREAM) && event.type === CALENDAR_YEAR_IMPORTED;

export const CALENDAR_EVENT_SCHEMA_VERSION = 1;

/** The year as recorded; anything else in the event's data is ignored. */
export function calendarYearOf(event: RecordedEvent): CalendarYear {
  const d = event.data;
  return {
    calendar: String(d.calendar), year: Number(d.year), status: d.status === 'official' ? 'official' : 'provisional',
    source: String(d.source), version: String(d.version),
    holidays: Array.isArray(d.holidays) ? d.holidays.map(String) : [],
    makeUpWorkdays: Array.isArray(d.makeUpWorkdays) ? d.makeUpWorkdays.map(String) : [],
  };
}

/** Appends the year (already validated by parseCalendarYear) after whatever its stream holds, hash-chained like a case's. */
export async function appendCalendarYear(store: EventStore, year: CalendarYear, actor: Actor, nowIso: string, file: string): Promise<AppendResult> {
  const eventId = randomUUID();
  const streamId = calendarStreamId(year.year);
  const stream = await store.readStream(streamId);
  const last = stream[stream.length - 1];
  const previousHash = linkHashOf(last);
  return store.append(streamId, sealEvents(streamId, stream.length, previousHash, [{
    type: CALENDAR_YEAR_IMPORTED,
    data: { ...year, holidays: [...year.holidays], makeUpWorkdays: [...year.makeUpWorkdays], file },
    metadata: {
      eventId, streamId: calendarStreamId(year.year), occurredAt: nowIso, recordedAt: nowIso, actor,
      commandId: `calendar-import/${year.version}`, correlationId: eventId, causationId: eventId,
      schemaVersion: CALENDAR_EVENT_SCHEMA_VERSION,
    },
  }]), last ? last.revision : 'no_stream');
}
