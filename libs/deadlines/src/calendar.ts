import { DateTime, IANAZone } from 'luxon';
import { DataProblem, DataInvalid } from './data-problem';
import { provisionalHolidays } from './statutory-holidays';

/**
 * Where a year's days off come from. `official`: the State Council's arrangement (with its make-up
 * working days) was imported. `provisional`: only the statutory holidays, computed; deadlines that
 * count through such a year are flagged until the arrangement is imported.
 */
export type CalendarYearStatus = 'official' | 'provisional';

export interface CalendarYearInfo {
  year: number;
  status: CalendarYearStatus;
  /** Names this exact content: recorded on every deadline it reschedules. */
  version: string;
  source: string;
}

/**
 * A business calendar: working hours on working days, in one time zone. A day is a working day
 * when it is a make-up working day (调休), else when it is neither a public holiday nor a weekend day.
 * Years the data does not list fall back to the weekend rule alone.
 */
export interface BusinessCalendar {
  id: string;
  timeZone: string;
  source: string;
  /** Minutes after local midnight, sorted, non-overlapping. */
  workingHours: { fromMinute: number; toMinute: number }[];
  /** ISO weekdays, 1 = Monday ... 7 = Sunday. */
  weekendDays: number[];
  holidays: Set<string>;
  makeUpWorkdays: Set<string>;
  years: number[];
  /** Per year: official or provisional, and where from. A year missing here is computed on first use. */
  yearInfo: Map<number, CalendarYearInfo>;
}

/** Length of one working day: what "P1D" means in working time. */
export const workingDayMillis = (calendar: BusinessCalendar): number =>
  calendar.workingHours.reduce((sum, h) => sum + (h.toMinute - h.fromMinute) * 60_000, 0);

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const CLOCK_TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

function minuteOf(value: unknown): number | null {
  const match = typeof value === 'string' ? CLOCK_TIME.exec(value) : null;
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

/** Validates raw calendar data (parsed JSON/YAML); every problem is reported with its path. */
export function parseCalendar(raw: unknown): BusinessCalendar {
  const problems: DataProblem[] = [];
  const bad = (path: string, problem: string) => problems.push({ path, problem });
  const r = (raw ?? {}) as Record<string, unknown>;
  if (typeof r.id !== 'string' || !r.id) bad('id', 'must be a non-empty string');
  if (r.id === 'wallclock') bad('id', '"wallclock" is reserved for limits in wall-clock time');
  if (typeof r.timeZone !== 'string' || !IANAZone.isValidZone(r.timeZone)) bad('timeZone', 'must be an IANA time zone such as Asia/Shanghai');
  if (typeof r.source !== 'string' || !r.source) bad('source', 'must name where the holiday data comes from');

  const workingHours: BusinessCalendar['workingHours'] = [];
  if (!Array.isArray(r.workingHours) || r.workingHours.length === 0) bad('workingHours', 'must list at least one {from, to} period');
  else r.workingHours.forEach((h: { from?: unknown; to?: unknown }, i: number) => {
    const fromMinute = minuteOf(h?.from);
    const toMinute = minuteOf(h?.to);
    if (fromMinute === null) return bad(`workingHours[${i}].from`, 'must be a time HH:mm');
    if (toMinute === null) return bad(`workingHours[${i}].to`, 'must be a time HH:mm');
    if (toMinute <= fromMinute) return bad(`workingHours[${i}]`, 'must end after it starts');
    const previous = workingHours[workingHours.length - 1];
    if (previous && fromMinute < previous.toMinute) return bad(`workingHours[${i}]`, 'must start after the previous period ends');
    workingHours.push({ fromMinute, toMinute });
  });

  const weekendDays = Array.isArray(r.weekendDays) ? r.weekendDays : [];
  if (!Array.isArray(r.weekendDays) || weekendDays.some((d) => !Number.isInteger(d) || d < 1 || d > 7)) {
    bad('weekendDays', 'must be a list of ISO weekdays 1 (Monday) to 7 (Sunday)');
  }

  const holidays = new Set<string>();
  const makeUpWorkdays = new Set<string>();
  const years: number[] = [];
  const yearInfo = new Map<number, CalendarYearInfo>();
  const yearsRaw = (r.years ?? {}) as Record<string, { holidays?: unknown; makeUpWorkdays?: unknown; status?: unknown; source?: unknown; version?: unknown }>;
  if (typeof r.years !== 'object' || r.years === null) bad('years', 'must map each year to {holidays, makeUpWorkdays}');
  for (const [year, lists] of Object.entries(yearsRaw)) {
    if (!/^\d{4}$/.test(year)) { bad(`years.${year}`, 'key must be a four-digit year'); continue; }
    years.push(Number(year));
    const status = lists?.status ?? 'official';
    if (status !== 'official' && status !== 'provisional') bad(`years.${year}.status`, 'must be official or provisional');
    const source = typeof lists?.source === 'string' ? lists.source : String(r.source);
    const version = typeof lists?.version === 'string' ? lists.version : `${year}.${String(status)}`;
    yearInfo.set(Number(year), { year: Number(year), status: status === 'provisional' ? 'provisional' : 'official', version, source });
    for (const key of ['holidays', 'makeUpWorkdays'] as const) {
      const dates = lists?.[key];
      if (!Array.isArray(dates)) { bad(`years.${year}.${key}`, 'must be a list of dates YYYY-MM-DD'); continue; }
      dates.forEach((date: unknown, i: number) => {
        const path = `years.${year}.${key}[${i}]`;
        if (typeof date !== 'string' || !DATE.test(date) || !DateTime.fromISO(date).isValid) return bad(path, 'must be a date YYYY-MM-DD');
        if (!date.startsWith(year)) return bad(path, `${date} is not in ${year}`);
        if (key === 'makeUpWorkdays') {
          if (!weekendDays.includes(DateTime.fromISO(date).weekday)) bad(path, `${date} is not a weekend day, so it cannot be a make-up working day`);
          if (holidays.has(date)) bad(path, `${date} is also listed as a holiday`);
          makeUpWorkdays.add(date);
        } else holidays.add(date);
      });
    }
  }
  if (problems.length) throw new DataInvalid('calendar', problems);
  return {
    id: r.id as string, timeZone: r.timeZone as string, source: r.source as string,
    workingHours, weekendDays: weekendDays as number[], holidays, makeUpWorkdays, years, yearInfo,
  };
}

export const PROVISIONAL_SOURCE =
  'computed: statutory holidays of 全国年节及纪念日放假办法 (lunar dates and Qingming by lunar-typescript), no make-up working days';

/**
 * A year nobody gave us is not a year without holidays: its statutory days are computed and it is
 * marked provisional. Memoised into the calendar (same input, same days), so it is computed once.
 */
function ensureYear(calendar: BusinessCalendar, year: number): void {
  if (calendar.yearInfo.has(year)) return;
  for (const date of provisionalHolidays(year, calendar.weekendDays)) calendar.holidays.add(date);
  calendar.yearInfo.set(year, { year, status: 'provisional', version: `${year}.provisional.computed`, source: PROVISIONAL_SOURCE });
}

export function isWorkingDay(calendar: BusinessCalendar, localDate: string): boolean {
  ensureYear(calendar, Number(localDate.slice(0, 4)));
  if (calendar.makeUpWorkdays.has(localDate)) return true;
  if (calendar.holidays.has(localDate)) return false;
  return !calendar.weekendDays.includes(DateTime.fromISO(localDate, { zone: calendar.timeZone }).weekday);
}

/** Working periods of one local day as epoch milliseconds (empty on a day off). */
function workingPeriods(calendar: BusinessCalendar, day: DateTime): [number, number][] {
  const date = day.toISODate()!;
  if (!isWorkingDay(calendar, date)) return [];
  return calendar.workingHours.map((h) => [
    day.plus({ minutes: h.fromMinute }).toMillis(),
    day.plus({ minutes: h.toMinute }).toMillis(),
  ]);
}

function millis(iso: string, name: string): number {
  const value = Date.parse(iso);
  if (Number.isNaN(value)) throw new RangeError(`${name} is not an ISO-8601 instant: ${iso}`);
  return value;
}

const startOfLocalDay = (calendar: BusinessCalendar, at: number) =>
  DateTime.fromMillis(at, { zone: calendar.timeZone }).startOf('day');

/** Ten years without a single working minute means the calendar is broken, not the deadline far. */
const MAX_DAYS = 3660;

/**
 * The instant that lies `durationMs` of working time after `fromIso`. Time outside working hours
 * does not count, so a limit that starts on a Friday evening runs from Monday morning.
 */
export function addBusinessTime(calendar: BusinessCalendar, fromIso: string, durationMs: number): string {
  if (!(durationMs >= 0)) throw new RangeError(`durationMs must be zero or more, got ${durationMs}`);
  const from = millis(fromIso, 'fromIso');
  let remaining = durationMs;
  let day = startOfLocalDay(calendar, from);
  for (let i = 0; i < MAX_DAYS; i++, day = day.plus({ days: 1 })) {
    for (const [start, end] of workingPeriods(calendar, day)) {
      const begin = Math.max(start, from);
      if (begin >= end) continue;
      if (remaining <= end - begin) return new Date(begin + remaining).toISOString();
      remaining -= end - begin;
    }
  }
  throw new RangeError(`calendar ${calendar.id} has no working time within ${MAX_DAYS} days of ${fromIso}`);
}

/** Working time between two instants; negative when `toIso` is earlier than `fromIso`. */
export function businessMillisBetween(calendar: BusinessCalendar, fromIso: string, toIso: string): number {
  const from = millis(fromIso, 'fromIso');
  const to = millis(toIso, 'toIso');
  if (to < from) return -businessMillisBetween(calendar, toIso, fromIso);
  let total = 0;
  for (let day = startOfLocalDay(calendar, from); day.toMillis() < to; day = day.plus({ days: 1 })) {
    for (const [start, end] of workingPeriods(calendar, day)) {
      const overlap = Math.min(end, to) - Math.max(start, from);
      if (overlap > 0) total += overlap;
    }
  }
  return total;
}

/**
 * Null when `iso` falls in working time (the end of a working period counts: "by 18:00"), else the
 * next working moment: what a person choosing a due date is offered instead.
 */
export function nextWorkingMoment(calendar: BusinessCalendar, iso: string): string | null {
  const at = millis(iso, 'iso');
  if (businessMillisBetween(calendar, new Date(at - 1).toISOString(), iso) === 1) return null;
  const next = addBusinessTime(calendar, iso, 0);
  return Date.parse(next) === at ? null : next;
}
