import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  addBusinessTime, calendarCoverage, calendarWithYears, countedOnProvisional, DataInvalid, daysOfOfficialCoverageLeft,
  foldDeadlineFacts, isWorkingDay, loadDefaultCalendar, loadShippedCalendar, parseCalendarYear, pendingDeadlines,
  provisionalHolidays, SHIPPED_CALENDARS_DIR, slaPolicyOf, statutoryHolidays,
} from '@civicloop/deadlines';
import { provisionalYearFile } from '../../apps/api/src/cli/calendar';

const calendar = loadDefaultCalendar();
const dates = (year: number) => statutoryHolidays(year).map((d) => d.date);

describe('statutory holidays computed from the regulation (lunar dates and Qingming by lunar-typescript)', () => {
  it('reproduce the statutory days of 2025 (国务院办公厅关于2025年部分节假日安排的通知, 国办发明电〔2024〕12号)', () => {
    expect(dates(2025)).toEqual([
      '2025-01-01',
      '2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31', // 除夕 to 初三
      '2025-04-04', '2025-05-01', '2025-05-02', '2025-05-31', '2025-10-01', '2025-10-02', '2025-10-03', '2025-10-06',
    ]);
  });

  it('reproduce the statutory days of 2026, each a holiday in the shipped State Council arrangement', () => {
    expect(dates(2026)).toEqual([
      '2026-01-01', '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-04-05',
      '2026-05-01', '2026-05-02', '2026-06-19', '2026-09-25', '2026-10-01', '2026-10-02', '2026-10-03',
    ]);
    for (const date of dates(2026)) expect(calendar.holidays.has(date)).toBe(true);
    expect(calendar.yearInfo.get(2026)).toMatchObject({ status: 'official' });
    expect(calendar.yearInfo.get(2026)?.source).toContain('2026年部分节假日安排');
  });

  it('gives a weekend statutory day a compensatory day off after its festival (article 6)', () => {
    // 2027: Spring Festival 02-05..02-08 has Saturday and Sunday → 02-09, 02-10; Labour Day 05-01/02 is a weekend → 05-03, 05-04.
    expect(provisionalHolidays(2027, [6, 7])).toEqual([
      '2027-01-01', '2027-02-05', '2027-02-06', '2027-02-07', '2027-02-08', '2027-02-09', '2027-02-10', '2027-04-05',
      '2027-05-01', '2027-05-02', '2027-05-03', '2027-05-04', '2027-06-09', '2027-09-15',
      '2027-10-01', '2027-10-02', '2027-10-03', '2027-10-04', '2027-10-05',
    ]);
  });

  it('the shipped provisional 2027 is exactly what `npm run calendar -- provisional 2027` computes', () => {
    const shipped = readFileSync(join(SHIPPED_CALENDARS_DIR, 'cn-mainland-2027.json'), 'utf8');
    expect(shipped).toBe(provisionalYearFile(2027));
    expect(calendar.yearInfo.get(2027)).toMatchObject({ status: 'provisional' });
  });
});

describe('a deadline that crosses into 2027', () => {
  const policy = slaPolicyOf(undefined, [calendar.id]);
  // Accepted Monday 2026-12-28 09:00 local; the default policy resolves in 7 working days.
  const accepted = [
    { type: 'CaseReceived', revision: 0, data: { caseId: 'c', category: 'repair.water_leak', urgency: 'normal' } },
    { type: 'CaseDispatched', revision: 1, data: { tier: 'grid', assigneeId: 'grid-111' } },
    { type: 'CaseAccepted', revision: 2, data: {} },
  ].map((e) => ({ ...e, streamId: 'case-c', metadata: { occurredAt: '2026-12-28T01:00:00.000Z' } }));
  const resolution = (cal = calendar) => pendingDeadlines(foldDeadlineFacts(accepted), policy, cal).find((d) => d.kind === 'resolution_overdue');

  it('is flagged provisional and skips New Year on the provisional calendar: 12-28..31, 01-04..06', () => {
    const due = resolution();
    expect(due).toMatchObject({ dueAt: '2027-01-06T10:00:00.000Z', provisional: true });
    expect(isWorkingDay(calendar, '2027-01-06')).toBe(true);
    expect(isWorkingDay(calendar, '2027-01-01')).toBe(false);
  });

  it('moves to the make-up Saturday of an imported official 2027 and is no longer provisional', () => {
    const official = parseCalendarYear({
      calendar: 'cn-mainland', year: 2027, status: 'official', source: 'test arrangement: New Year 01-01, make-up Saturday 01-02',
      holidays: ['2027-01-01'], makeUpWorkdays: ['2027-01-02'],
    }, calendar);
    const withOfficial = calendarWithYears(calendar, [official]);
    // 12-28..31 (4), Saturday 01-02 (5), 01-04 (6), 01-05 (7): one day earlier.
    expect(resolution(withOfficial)).toEqual(expect.objectContaining({ dueAt: '2027-01-05T10:00:00.000Z' }));
    expect(resolution(withOfficial)?.provisional).toBeUndefined();
    expect(official.version).toMatch(/^2027\.official\.[0-9a-f]{8}$/);
  });

  it('a year nobody gave us (2029) is computed from the regulation and flagged', () => {
    const from = '2029-09-28T09:00:00.000Z'; // Friday 17:00 local
    // 1 h on Friday; the weekend; National Day 10-01..03 (Monday to Wednesday); 1 h on Thursday 10-04.
    expect(addBusinessTime(calendar, from, 2 * 3_600_000)).toBe('2029-10-04T02:00:00.000Z');
    expect(countedOnProvisional(calendar, from, '2029-10-04T02:00:00.000Z')).toBe(true);
    expect(countedOnProvisional(calendar, '2026-03-02T01:00:00.000Z', '2026-03-03T01:00:00.000Z')).toBe(false);
  });
});

describe('calendar year data', () => {
  it('refuses a bad year file naming each problem', () => {
    const attempt = () => parseCalendarYear({
      calendar: 'cn-mainland', year: 2027, status: 'maybe', source: '',
      holidays: ['2027-02-30', '2026-10-01'], makeUpWorkdays: ['2027-02-10'],
    }, calendar);
    expect(attempt).toThrow(DataInvalid);
    try { attempt(); } catch (error) {
      expect((error as DataInvalid).problems).toEqual([
        { path: 'status', problem: 'must be official or provisional' },
        { path: 'source', problem: 'must name where the days come from (the State Council notice)' },
        { path: 'holidays[0]', problem: 'must be a date YYYY-MM-DD' },
        { path: 'holidays[1]', problem: '2026-10-01 is not in 2027' },
        { path: 'makeUpWorkdays[0]', problem: '2027-02-10 is not a weekend day, so it cannot be a make-up working day' },
      ]);
    }
  });

  it('every shipped year file is valid', () => {
    expect(loadShippedCalendar().years.map((y) => `${y.year} ${y.status}`)).toEqual(['2026 official', '2027 provisional']);
  });

  it('reports coverage: official until 2026-12-31, 33 days left on 2026-11-29', () => {
    const now = '2026-11-29T04:00:00.000Z';
    expect(calendarCoverage(calendar, now)).toMatchObject({ officialUntil: '2026-12-31', firstUncoveredDate: '2027-01-01' });
    expect(daysOfOfficialCoverageLeft(calendar, now)).toBe(33);
  });
});
