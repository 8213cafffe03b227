import { DateTime, Duration } from 'luxon';
import { BusinessCalendar, isWorkingDay, workingDayMillis } from '@civicloop/deadlines';

const QUARTER_HOUR = 900_000;

/**
 * The business calendar's arithmetic (same results as libs/deadlines' addBusinessTime and
 * businessMillisBetween), with local days and their working periods computed once and cached:
 * a rebuild asks these questions millions of times over a few hundred distinct days.
 */
export class CachedCalendar {
  private readonly dayOf = new Map<number, number>();
  private readonly periodsOf = new Map<number, [number, number][]>();
  private readonly nextDayOf = new Map<number, number>();
  /** By calendar id, then by ISO duration (no key text built per call). */
  private readonly limits = new Map<string, Map<string, number>>();
  private readonly yearOf = new Map<number, number>();

  constructor(readonly calendar: BusinessCalendar) {}

  /** Start (epoch ms) of the local day holding `at`; zone offsets are whole quarter-hours. */
  dayStart(at: number): number {
    const key = Math.floor(at / QUARTER_HOUR);
    let start = this.dayOf.get(key);
    if (start === undefined) {
      start = DateTime.fromMillis(at, { zone: this.calendar.timeZone }).startOf('day').toMillis();
      this.dayOf.set(key, start);
      // Every quarter-hour of that day at once: one luxon call per day, not per quarter-hour asked.
      const next = this.nextDay(start);
      if (start % QUARTER_HOUR === 0 && next % QUARTER_HOUR === 0) {
        for (let k = start / QUARTER_HOUR; k < next / QUARTER_HOUR; k++) this.dayOf.set(k, start);
      }
    }
    return start;
  }

  private nextDay(dayStart: number): number {
    let next = this.nextDayOf.get(dayStart);
    if (next === undefined) {
      next = DateTime.fromMillis(dayStart, { zone: this.calendar.timeZone }).plus({ days: 1 }).startOf('day').toMillis(); // the next local midnight, also after a day DST started at 01:00
      this.nextDayOf.set(dayStart, next);
    }
    return next;
  }

  private periods(dayStart: number): [number, number][] {
    let periods = this.periodsOf.get(dayStart);
    if (!periods) {
      const day = DateTime.fromMillis(dayStart, { zone: this.calendar.timeZone });
      periods = isWorkingDay(this.calendar, day.toISODate()!)
        ? this.calendar.workingHours.map((h) => [day.plus({ minutes: h.fromMinute }).toMillis(), day.plus({ minutes: h.toMinute }).toMillis()])
        : [];
      this.periodsOf.set(dayStart, periods);
    }
    return periods;
  }

  millisBetween(fromIso: string, toIso: string): number {
    const from = Date.parse(fromIso);
    const to = Date.parse(toIso);
    if (to < from) return -this.millisBetween(toIso, fromIso);
    let total = 0;
    for (let day = this.dayStart(from); day < to; day = this.nextDay(day)) {
      // Indexed loops here and in add: destructuring each period allocated an iterator per call, and these run per event.
      const periods = this.periods(day);
      for (let p = 0; p < periods.length; p++) {
        const start = periods[p][0];
        const end = periods[p][1];
        const overlap = Math.min(end, to) - Math.max(start, from);
        if (overlap > 0) total += overlap;
      }
    }
    return total;
  }

  add(fromIso: string, durationMs: number): string {
    const from = Date.parse(fromIso);
    let remaining = durationMs;
    let day = this.dayStart(from);
    for (let i = 0; i < 3660; i++, day = this.nextDay(day)) {
      const periods = this.periods(day);
      for (let p = 0; p < periods.length; p++) {
        const start = periods[p][0];
        const end = periods[p][1];
        const begin = Math.max(start, from);
        if (begin >= end) continue;
        if (remaining <= end - begin) return new Date(begin + remaining).toISOString();
        remaining -= end - begin;
      }
    }
    throw new RangeError(`calendar ${this.calendar.id} has no working time within 3660 days of ${fromIso}`);
  }

  /** libs/deadlines' countedOnProvisional with the local years looked up per cached day (no DateTime per call). */
  countedOnProvisional(fromIso: string, toIso: string): boolean {
    const x = this.localYear(Date.parse(fromIso));
    const y = this.localYear(Date.parse(toIso));
    for (let year = Math.min(x, y); year <= Math.max(x, y); year++) {
      // isWorkingDay computes a missing year as provisional (asked only then: it parses its date with luxon).
      if (!this.calendar.yearInfo.has(year)) isWorkingDay(this.calendar, `${year}-01-01`);
      // Not cached: importing a year's arrangement turns it official while the service runs.
      if (this.calendar.yearInfo.get(year)?.status !== 'official') return true;
    }
    return false;
  }

  private localYear(at: number): number {
    const day = this.dayStart(at);
    let year = this.yearOf.get(day);
    if (year === undefined) {
      year = DateTime.fromMillis(day, { zone: this.calendar.timeZone }).year;
      this.yearOf.set(day, year);
    }
    return year;
  }

  /** libs/deadlines' limitMillis, cached per (duration, calendar id). */
  limitMillis(iso: string, calendarId: string): number {
    let byDuration = this.limits.get(calendarId);
    if (!byDuration) this.limits.set(calendarId, (byDuration = new Map()));
    let ms = byDuration.get(iso);
    if (ms === undefined) {
      const d = Duration.fromISO(iso);
      ms = calendarId === 'wallclock' ? d.toMillis()
        : (d.weeks * 5 + d.days) * workingDayMillis(this.calendar) + ((d.hours * 60 + d.minutes) * 60 + d.seconds) * 1000 + d.milliseconds;
      byDuration.set(iso, ms);
    }
    return ms;
  }
}
