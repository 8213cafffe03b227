import { DateTime } from 'luxon';
import { addBusinessTime, businessMillisBetween, loadDefaultCalendar, parseCalendar } from '@civicloop/deadlines';
import { CachedCalendar, periodKeys } from '@civicloop/read-models';

const HOUR = 3_600_000;

/** A deterministic spread of instants (no Math.random: a failure must replay). */
function* instants(count: number, fromIso: string, days: number): Generator<string> {
  let seed = 12345;
  const from = Date.parse(fromIso);
  for (let i = 0; i < count; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    // Whole minutes and odd seconds alike, some right at a local midnight's quarter-hour.
    const offset = i % 7 === 0 ? Math.floor(seed / 2 ** 31 * days) * 86_400_000 : Math.floor(seed / 2 ** 31 * days * 86_400_000);
    yield new Date(from + offset).toISOString();
  }
}

/**
 * The rebuild's cached business-time arithmetic and period keys against the reference
 * (libs/deadlines, luxon) at instants all over two years, in Shanghai (no daylight saving) and in a
 * zone with daylight saving, whose days are 23 and 25 hours long twice a year: the caches fill a
 * whole local day at once, and must still answer as the uncached functions do.
 */
describe('cached calendar', () => {
  const berlin = parseCalendar({
    id: 'berlin-test', timeZone: 'Europe/Berlin', source: 'test', weekendDays: [6, 7],
    workingHours: [{ from: '00:30', to: '02:30' }, { from: '09:00', to: '17:00' }, { from: '23:00', to: '23:45' }],
    years: { 2026: { holidays: ['2026-03-30'], makeUpWorkdays: ['2026-10-24'] } },
  });

  it.each([
    ['Asia/Shanghai', loadDefaultCalendar()],
    ['Europe/Berlin', berlin],
  ])('answers as the uncached arithmetic (%s)', (_zone, calendar) => {
    const cached = new CachedCalendar(calendar);
    const starts = [...instants(600, '2025-12-20T00:00:00.000Z', 400)];
    const ends = [...instants(600, '2026-01-01T00:00:00.000Z', 400)];
    for (const [i, from] of starts.entries()) {
      const duration = [0, 1, 15 * 60_000, 4 * HOUR, 8 * HOUR, 3 * 24 * HOUR][i % 6];
      expect([from, cached.add(from, duration)]).toEqual([from, addBusinessTime(calendar, from, duration)]);
      expect([from, ends[i], cached.millisBetween(from, ends[i])]).toEqual([from, ends[i], businessMillisBetween(calendar, from, ends[i])]);
      expect([from, cached.dayStart(Date.parse(from))])
        .toEqual([from, DateTime.fromISO(from, { zone: calendar.timeZone }).startOf('day').toMillis()]);
    }
  });

  it.each(['Asia/Shanghai', 'Europe/Berlin'])('gives the local day, ISO week and month of each instant (%s)', (zone) => {
    for (const at of instants(600, '2025-12-20T00:00:00.000Z', 400)) {
      const local = DateTime.fromISO(at, { zone });
      expect([at, periodKeys(at, zone)]).toEqual([at, { day: local.toFormat('yyyy-MM-dd'), week: local.toFormat("kkkk-'W'WW"), month: local.toFormat('yyyy-MM') }]);
    }
  });

  // In America/Santiago daylight saving starts at midnight: 2026-09-06 begins at 01:00. The next day
  // must still begin at its own midnight, whatever was asked first.
  it('fills a day whose midnight daylight saving skips without spilling into the next (America/Santiago)', () => {
    const zone = 'America/Santiago';
    const localIso = (text: string) => DateTime.fromISO(text, { zone }).toUTC().toISO() ?? '';
    expect(periodKeys(localIso('2026-09-06T12:00'), zone).day).toBe('2026-09-06');
    expect(periodKeys(localIso('2026-09-07T00:30'), zone)).toEqual({ day: '2026-09-07', week: '2026-W37', month: '2026-09' });
    const cached = new CachedCalendar(parseCalendar({
      id: 'santiago-test', timeZone: zone, source: 'test', weekendDays: [6, 7],
      workingHours: [{ from: '09:00', to: '17:00' }], years: { 2026: { holidays: [], makeUpWorkdays: [] } },
    }));
    cached.dayStart(Date.parse(localIso('2026-09-06T12:00')));
    expect(cached.dayStart(Date.parse(localIso('2026-09-07T00:30')))).toBe(Date.parse(localIso('2026-09-07T00:00')));
  });
});

