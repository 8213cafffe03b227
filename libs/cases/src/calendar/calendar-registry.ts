import { Inject, Injectable } from '@nestjs/common';
import { BusinessCalendar, CalendarYear, calendarWithYears, loadShippedCalendar, ShippedCalendar } from '@civicloop/deadlines';
import { EVENT_STORE, EventStore, Position, RecordedEvent } from '@civicloop/event-store';
import { Clock, CLOCK } from '@civicloop/platform';
import { calendarStreamId, calendarYearOf, isCalendarEvent } from './calendar-events';

/** Imports are looked for in these years around today (`calendar import` refuses others). */
export const IMPORTABLE_YEARS = { before: 1, after: 4 };
const REFRESH_MS = 2000;

/**
 * The calendar in force: the shipped years, with the years imported into the event store on top
 * (a later import of a year replaces the earlier one and the shipped file). Every API and worker
 * instance reads the same streams, so all of them count on the same days within REFRESH_MS.
 */
@Injectable()
export class CalendarRegistry {
  private readonly shipped: ShippedCalendar = loadShippedCalendar();
  private current: BusinessCalendar = calendarWithYears(this.shipped.base, this.shipped.years);
  private imports: RecordedEvent[] = [];
  private refreshedAt = Number.NEGATIVE_INFINITY;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore, @Inject(CLOCK) private readonly clock: Clock) {}

  /** The last calendar read (the shipped one until the first refresh). */
  get calendar(): BusinessCalendar {
    return this.current;
  }

  /** The calendar, re-read from the store when the last read is older than two seconds. */
  async fresh(): Promise<BusinessCalendar> {
    if (Date.now() - this.refreshedAt >= REFRESH_MS) await this.refresh();
    return this.current;
  }

  async refresh(): Promise<BusinessCalendar> {
    const imports = await this.readImports();
    const changed = imports.length !== this.imports.length || imports.some((e, i) => e.position !== this.imports[i].position);
    if (changed) {
      this.imports = imports;
      this.current = this.compose(imports);
    }
    this.refreshedAt = Date.now();
    return this.current;
  }

  /** The calendar as the store knew it up to `position` (inclusive) or strictly before it. */
  async calendarAt(position: Position, inclusive: boolean): Promise<{ calendar: BusinessCalendar; years: CalendarYear[] }> {
    const imports = (await this.readImports()).filter((e) => (inclusive ? e.position <= position : e.position < position));
    return { calendar: this.compose(imports), years: imports.map(calendarYearOf) };
  }

  private compose(imports: RecordedEvent[]): BusinessCalendar {
    const ordered = [...imports].sort((a, b) => a.position - b.position).map(calendarYearOf);
    return calendarWithYears(this.shipped.base, [...this.shipped.years, ...ordered.filter((y) => y.calendar === this.shipped.base.id)]);
  }

  private async readImports(): Promise<RecordedEvent[]> {
    const thisYear = this.clock.now().getUTCFullYear();
    const years = new Set(this.shipped.years.map((y) => y.year));
    for (let y = thisYear - IMPORTABLE_YEARS.before; y <= thisYear + IMPORTABLE_YEARS.after; y++) years.add(y);
    const streams = await Promise.all([...years].map((y) => this.store.readStream(calendarStreamId(y))));
    return streams.flat().filter(isCalendarEvent).sort((a, b) => a.position - b.position);
  }
}
