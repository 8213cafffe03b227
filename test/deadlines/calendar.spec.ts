import {
  addBusinessTime, businessMillisBetween, DataInvalid, isWorkingDay, loadDefaultCalendar, parseCalendar,
} from '@civicloop/deadlines';

const HOUR = 3_600_000;
const calendar = loadDefaultCalendar();
// Shanghai is UTC+8 all year: 09:00 local = 01:00Z, 12:00 = 04:00Z, 13:00 = 05:00Z, 18:00 = 10:00Z.

describe('business calendar (2026, mainland China)', () => {
  it('carries the limit across a weekend', () => {
    // Friday 2026-03-13 17:00 local: 1 h left on Friday, 7 h more on Monday 03-16 → 17:00 Monday.
    expect(addBusinessTime(calendar, '2026-03-13T09:00:00.000Z', 8 * HOUR)).toBe('2026-03-16T09:00:00.000Z');
    expect(businessMillisBetween(calendar, '2026-03-13T09:00:00.000Z', '2026-03-16T09:00:00.000Z')).toBe(8 * HOUR);
  });

  it('skips a public holiday (Labour Day, 1-5 May)', () => {
    // Thursday 2026-04-30 17:00 local + 2 h: 1 h on Thursday, then 1-5 May off, the 6th from 09:00.
    expect(addBusinessTime(calendar, '2026-04-30T09:00:00.000Z', 2 * HOUR)).toBe('2026-05-06T02:00:00.000Z');
    expect(isWorkingDay(calendar, '2026-05-04')).toBe(false); // a Monday, but a holiday
  });

  it('counts a make-up working Saturday (调休, 2026-02-14)', () => {
    expect(isWorkingDay(calendar, '2026-02-14')).toBe(true);
    // Friday 2026-02-13 17:00 local + 2 h: 1 h Friday, 1 h on Saturday the 14th (not Monday, a holiday).
    expect(addBusinessTime(calendar, '2026-02-13T09:00:00.000Z', 2 * HOUR)).toBe('2026-02-14T02:00:00.000Z');
    // A plain Saturday is not a working day.
    expect(isWorkingDay(calendar, '2026-03-14')).toBe(false);
  });

  it('does not count the lunch break or the night', () => {
    // 11:30 local + 1 h → 30 min before lunch, 30 min after: 13:30 local.
    expect(addBusinessTime(calendar, '2026-03-10T03:30:00.000Z', HOUR)).toBe('2026-03-10T05:30:00.000Z');
    // From 20:00 local: the clock starts at 09:00 next morning.
    expect(addBusinessTime(calendar, '2026-03-10T12:00:00.000Z', HOUR)).toBe('2026-03-11T02:00:00.000Z');
    expect(businessMillisBetween(calendar, '2026-03-10T12:00:00.000Z', '2026-03-11T00:00:00.000Z')).toBe(0);
    expect(businessMillisBetween(calendar, '2026-03-11T02:00:00.000Z', '2026-03-10T12:00:00.000Z')).toBe(-HOUR);
  });

  it('names its source', () => {
    expect(calendar.yearInfo.get(2026)?.source).toContain('2026年部分节假日安排');
  });

  it('refuses bad calendar data with the exact problems', () => {
    const attempt = () => parseCalendar({
      id: 'x', timeZone: 'Mars/Base', source: 's', weekendDays: [6, 7],
      workingHours: [{ from: '09:00', to: '08:00' }],
      years: { 2026: { holidays: ['2026-13-01'], makeUpWorkdays: ['2026-03-11'] } },
    });
    expect(attempt).toThrow(DataInvalid);
    try { attempt(); } catch (error) {
      expect((error as DataInvalid).problems).toEqual([
        { path: 'timeZone', problem: 'must be an IANA time zone such as Asia/Shanghai' },
        { path: 'workingHours[0]', problem: 'must end after it starts' },
        { path: 'years.2026.holidays[0]', problem: 'must be a date YYYY-MM-DD' },
        { path: 'years.2026.makeUpWorkdays[0]', problem: '2026-03-11 is not a weekend day, so it cannot be a make-up working day' },
      ]);
    }
  });
});
