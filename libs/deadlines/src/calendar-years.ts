import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import { BusinessCalendar, CalendarYearInfo, CalendarYearStatus, isWorkingDay } from './calendar';
import { DataInvalid, DataProblem } from './data-problem';

/**
 * One year of a calendar as data: shipped as a file (libs/deadlines/data/calendars) or imported
 * later with `npm run calendar -- import` and recorded as an event (CalendarYearImported).
 */
export interface CalendarYear {
  calendar: string;
  year: number;
  status: CalendarYearStatus;
  source: string;
  holidays: string[];
  makeUpWorkdays: string[];
  /** `<year>.<status>.<first 8 hex of sha-256 of the days>`: which content a rescheduling used. */
  version: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function calendarYearVersion(year: number, status: CalendarYearStatus, holidays: string[], makeUpWorkdays: string[]): string {
  const digest = createHash('sha256').update(JSON.stringify({ year, status, holidays, makeUpWorkdays })).digest('hex');
  return `${year}.${status}.${digest.slice(0, 8)}`;
}

/** Validates one year's data against the calendar it belongs to; every problem with its path. */
export function parseCalendarYear(raw: unknown, base: Pick<BusinessCalendar, 'id' | 'weekendDays'>): CalendarYear {
  const problems: DataProblem[] = [];
  const bad = (path: string, problem: string) => problems.push({ path, problem });
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  if (r.calendar !== base.id) bad('calendar', `must be "${base.id}"`);
  const year = typeof r.year === 'number' && Number.isInteger(r.year) && r.year >= 1900 && r.year <= 2200 ? r.year : null;
  if (year === null) bad('year', 'must be a year such as 2027');
  if (r.status !== 'official' && r.status !== 'provisional') bad('status', 'must be official or provisional');
  if (typeof r.source !== 'string' || !r.source.trim()) bad('source', 'must name where the days come from (the State Council notice)');
  const lists = { holidays: [] as string[], makeUpWorkdays: [] as string[] };
  for (const key of ['holidays', 'makeUpWorkdays'] as const) {
    const dates = r[key];
    if (!Array.isArray(dates)) { bad(key, 'must be a list of dates YYYY-MM-DD'); continue; }
    dates.forEach((date: unknown, i: number) => {
      const path = `${key}[${i}]`;
      if (typeof date !== 'string' || !DATE.test(date) || !DateTime.fromISO(date).isValid) return bad(path, 'must be a date YYYY-MM-DD');
      if (year !== null && !date.startsWith(`${year}-`)) return bad(path, `${date} is not in ${year}`);
      if (lists[key].includes(date)) return bad(path, `${date} is listed twice`);
      if (key === 'makeUpWorkdays') {
        if (!base.weekendDays.includes(DateTime.fromISO(date).weekday)) return bad(path, `${date} is not a weekend day, so it cannot be a make-up working day`);
        if (lists.holidays.includes(date)) return bad(path, `${date} is also listed as a holiday`);
      }
      lists[key].push(date);
    });
  }
  if (problems.length) throw new DataInvalid('calendar year', problems);
  const status = r.status as CalendarYearStatus;
  const holidays = [...lists.holidays].sort();
  const makeUpWorkdays = [...lists.makeUpWorkdays].sort();
  return {
    calendar: base.id, year: year as number, status, source: String(r.source), holidays, makeUpWorkdays,
    version: calendarYearVersion(year as number, status, holidays, makeUpWorkdays),
  };
}

/**
 * The calendar with these years in force. A later year of the same number replaces an earlier one
 * (an import replaces the shipped provisional year); years already in `base` not named stay.
 */
export function calendarWithYears(base: BusinessCalendar, years: CalendarYear[]): BusinessCalendar {
  const byYear = new Map<number, CalendarYear>();
  for (const y of years) byYear.set(y.year, y);
  const keep = (date: string) => !byYear.has(Number(date.slice(0, 4)));
  const holidays = new Set([...base.holidays].filter(keep));
  const makeUpWorkdays = new Set([...base.makeUpWorkdays].filter(keep));
  const yearInfo = new Map<number, CalendarYearInfo>([...base.yearInfo].filter(([year]) => base.years.includes(year) && !byYear.has(year)));
  for (const y of byYear.values()) {
    y.holidays.forEach((d) => holidays.add(d));
    y.makeUpWorkdays.forEach((d) => makeUpWorkdays.add(d));
    yearInfo.set(y.year, { year: y.year, status: y.status, version: y.version, source: y.source });
  }
  const listed = [...new Set([...base.years, ...byYear.keys()])].sort();
  return { ...base, holidays, makeUpWorkdays, years: listed, yearInfo };
}

const localYear = (calendar: BusinessCalendar, iso: string) =>
  DateTime.fromISO(iso, { zone: calendar.timeZone }).year;

/** True when working time from `fromIso` to `toIso` was counted through a year that is not official. */
export function countedOnProvisional(calendar: BusinessCalendar, fromIso: string, toIso: string): boolean {
  const [a, b] = [localYear(calendar, fromIso), localYear(calendar, toIso)].sort((x, y) => x - y);
  for (let year = a; year <= b; year++) {
    isWorkingDay(calendar, `${year}-01-01`); // computes a missing year as provisional
    if (calendar.yearInfo.get(year)?.status !== 'official') return true;
  }
  return false;
}

export interface CalendarCoverage {
  calendar: string;
  years: { year: number; status: CalendarYearStatus; version: string; source: string }[];
  /** Last local date of the unbroken run of official years that contains today; null if today's year is not official. */
  officialUntil: string | null;
  /** First local date not covered by an official year, from today on. */
  firstUncoveredDate: string;
}

export function calendarCoverage(calendar: BusinessCalendar, nowIso: string): CalendarCoverage {
  const year = localYear(calendar, nowIso);
  let last = year - 1;
  while (calendar.years.includes(last + 1) && calendar.yearInfo.get(last + 1)?.status === 'official') last++;
  return {
    calendar: calendar.id,
    years: calendar.years.map((y) => {
      const info = calendar.yearInfo.get(y);
      return { year: y, status: info?.status ?? 'provisional', version: info?.version ?? '', source: info?.source ?? '' };
    }),
    officialUntil: last >= year ? `${last}-12-31` : null,
    firstUncoveredDate: last >= year ? `${last + 1}-01-01` : DateTime.fromISO(nowIso, { zone: calendar.timeZone }).toISODate() ?? '',
  };
}

/** `calendar check` fails and /health reports degraded when official coverage ends this many days ahead or sooner. */
export const OFFICIAL_COVERAGE_WARNING_DAYS = 60;

/** Days from `nowIso` (local) until the first uncovered date: `calendar check` fails under 60. */
export function daysOfOfficialCoverageLeft(calendar: BusinessCalendar, nowIso: string): number {
  const { firstUncoveredDate } = calendarCoverage(calendar, nowIso);
  const today = DateTime.fromISO(nowIso, { zone: calendar.timeZone }).startOf('day');
  return Math.round(DateTime.fromISO(firstUncoveredDate, { zone: calendar.timeZone }).diff(today, 'days').days);
}
