import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BusinessCalendar, parseCalendar } from './calendar';
import { CalendarYear, calendarWithYears, parseCalendarYear } from './calendar-years';
import { DataInvalid } from './data-problem';

/**
 * The shipped calendar data, read at run time (not compiled in): `<id>.json` holds the zone, the
 * working hours and the weekend; `<id>-<year>.json` one year each. `npm run build` copies the folder.
 */
export const SHIPPED_CALENDARS_DIR = join(__dirname, '..', 'data', 'calendars');
export const DEFAULT_CALENDAR_ID = 'cn-mainland';

function readJson(file: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new DataInvalid(what, [{ path: file, problem: `cannot be read: ${(error as Error).message}` }]);
  }
}

export interface ShippedCalendar {
  base: BusinessCalendar;
  years: CalendarYear[];
}

/** Every shipped year of calendar `id`, validated; a bad file is refused naming the file and the problem. */
export function loadShippedCalendar(id = DEFAULT_CALENDAR_ID, dir = SHIPPED_CALENDARS_DIR): ShippedCalendar {
  const base = parseCalendar(readJson(join(dir, `${id}.json`), 'calendar'));
  const pattern = new RegExp(`^${id}-(\\d{4})\\.json$`);
  const years = readdirSync(dir).filter((f) => pattern.test(f)).sort().map((f) => {
    try {
      return parseCalendarYear(readJson(join(dir, f), 'calendar year'), base);
    } catch (error) {
      if (error instanceof DataInvalid) throw new DataInvalid(`calendar year ${f}`, error.problems);
      throw error;
    }
  });
  return { base, years };
}

let defaultCalendar: BusinessCalendar | null = null;

/**
 * The shipped calendar alone (mainland China: 2026 official, 2027 provisional). Instances that
 * read the event store use CalendarYears' imported years on top of it (libs/cases calendar-registry).
 */
export function loadDefaultCalendar(): BusinessCalendar {
  if (!defaultCalendar) {
    const { base, years } = loadShippedCalendar();
    defaultCalendar = calendarWithYears(base, years);
  }
  return defaultCalendar;
}
