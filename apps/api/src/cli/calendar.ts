import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { appendCalendarYear, CalendarRegistry, IMPORTABLE_YEARS } from '@civicloop/cases';
import {
  calendarCoverage, DataInvalid, daysOfOfficialCoverageLeft, DEFAULT_CALENDAR_ID, loadShippedCalendar, parseCalendarYear,
  OFFICIAL_COVERAGE_WARNING_DAYS, provisionalHolidays, PROVISIONAL_SOURCE, statutoryHolidays,
} from '@civicloop/deadlines';
import { EventStore } from '@civicloop/event-store';
import { Clock, createEventStore, loadConfig, systemClock } from '@civicloop/platform';

const CLI_ACTOR = { id: 'cli:calendar', role: 'admin', unitId: null } as const;

export interface CalendarCliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** Validates a year file and records it as CalendarYearImported; an identical year already in force is not recorded twice. */
export async function importCalendarYear(store: EventStore, clock: Clock, file: string, io: CalendarCliIo): Promise<number> {
  const { base } = loadShippedCalendar();
  let raw: unknown;
  try {
    const text = readFileSync(file, 'utf8');
    raw = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    io.err(`${file}: cannot be read: ${(error as Error).message}`);
    return 2;
  }
  let year;
  try {
    year = parseCalendarYear(raw, base);
  } catch (error) {
    if (!(error instanceof DataInvalid)) throw error;
    io.err(`${file}: ${error.message}`);
    return 2;
  }
  const thisYear = clock.now().getUTCFullYear();
  if (year.year < thisYear - IMPORTABLE_YEARS.before || year.year > thisYear + IMPORTABLE_YEARS.after) {
    io.err(`${file}: year ${year.year} is outside ${thisYear - IMPORTABLE_YEARS.before}..${thisYear + IMPORTABLE_YEARS.after}, the years instances look for`);
    return 2;
  }
  const registry = new CalendarRegistry(store, clock);
  const current = (await registry.refresh()).yearInfo.get(year.year);
  if (current?.version === year.version) {
    io.out(`calendar ${year.year} ${year.version} is already in force: nothing recorded`);
    return 0;
  }
  const { position } = await appendCalendarYear(store, year, CLI_ACTOR, clock.now().toISOString(), basename(file));
  io.out(`calendar ${year.year} ${year.status} ${year.version} recorded at position ${position} (was ${current?.version ?? 'none'}); the worker reschedules the deadlines it moves`);
  return 0;
}

export async function showCalendar(store: EventStore, clock: Clock, year: number | undefined, io: CalendarCliIo): Promise<number> {
  const calendar = await new CalendarRegistry(store, clock).refresh();
  const coverage = calendarCoverage(calendar, clock.now().toISOString());
  if (year === undefined) {
    for (const y of coverage.years) io.out(`${y.year}  ${y.status.padEnd(11)} ${y.version}  ${y.source}`);
    io.out(`official until ${coverage.officialUntil ?? '(today is not covered)'}; first uncovered date ${coverage.firstUncoveredDate}`);
    return 0;
  }
  const info = calendar.yearInfo.get(year);
  io.out(`${year}  ${info?.status ?? 'provisional (computed)'}  ${info?.version ?? ''}  ${info?.source ?? PROVISIONAL_SOURCE}`);
  const inYear = (d: string) => d.startsWith(`${year}-`);
  const holidays = info ? [...calendar.holidays].filter(inYear).sort() : provisionalHolidays(year, calendar.weekendDays);
  io.out(`holidays: ${holidays.join(' ')}`);
  io.out(`make-up working days: ${[...calendar.makeUpWorkdays].filter(inYear).sort().join(' ') || '(none)'}`);
  return 0;
}

/** Exit 1 when the official (not provisional) coverage ends within OFFICIAL_COVERAGE_WARNING_DAYS. */
export async function checkCalendar(store: EventStore, clock: Clock, io: CalendarCliIo): Promise<number> {
  const calendar = await new CalendarRegistry(store, clock).refresh();
  const now = clock.now().toISOString();
  const left = daysOfOfficialCoverageLeft(calendar, now);
  const { firstUncoveredDate } = calendarCoverage(calendar, now);
  if (left <= OFFICIAL_COVERAGE_WARNING_DAYS) {
    io.err(`official calendar coverage ends in ${left} days (first uncovered date ${firstUncoveredDate}): import the State Council arrangement with npm run calendar -- import <file>`);
    return 1;
  }
  io.out(`official calendar coverage: ${left} days (first uncovered date ${firstUncoveredDate})`);
  return 0;
}

/** The provisional year file for `year`, as shipped in libs/deadlines/data/calendars. */
export function provisionalYearFile(year: number): string {
  const { base } = loadShippedCalendar();
  const names = [...new Set(statutoryHolidays(year).map((d) => `${d.name} ${d.date}`))].join(', ');
  return `${JSON.stringify({
    calendar: DEFAULT_CALENDAR_ID, year, status: 'provisional',
    source: `${PROVISIONAL_SOURCE}. Statutory days: ${names}. Replace by importing the State Council arrangement.`,
    holidays: provisionalHolidays(year, base.weekendDays), makeUpWorkdays: [],
  }, null, 2)}\n`;
}

if (require.main === module) {
  const io: CalendarCliIo = { out: (line) => process.stdout.write(`${line}\n`), err: (line) => process.stderr.write(`${line}\n`) };
  const withStore = async (work: (store: EventStore) => Promise<number>) => {
    const store = await createEventStore(loadConfig());
    try {
      process.exitCode = await work(store);
    } finally {
      await store.close();
    }
  };
  const program = new Command('calendar').description('the business calendar: shipped years and years imported into the event store');
  program.command('import <file>').description('record a year (JSON or YAML, see libs/deadlines/data/calendars) as an event')
    .action((file: string) => withStore((store) => importCalendarYear(store, systemClock, file, io)));
  program.command('show [year]').description('years in force, or the days off of one year')
    .action((year?: string) => withStore((store) => showCalendar(store, systemClock, year === undefined ? undefined : Number(year), io)));
  program.command('check').description(`exit 1 when official coverage ends within ${OFFICIAL_COVERAGE_WARNING_DAYS} days`)
    .action(() => withStore((store) => checkCalendar(store, systemClock, io)));
  program.command('provisional <year>').description('print the provisional year file computed from the statutory holidays')
    .action((year: string) => { process.stdout.write(provisionalYearFile(Number(year))); });
  program.parseAsync().catch((error) => {
    console.error((error as Error).message);
    process.exit(2);
  });
}
