import { DateTime } from 'luxon';
import { Lunar } from 'lunar-typescript';

/**
 * The statutory public holidays every citizen has off, by the national holiday regulation
 * (全国年节及纪念日放假办法, as amended by State Council decree 795, in force from 2025-01-01):
 * New Year's Day 1 day, Spring Festival from its eve to day 3 (4 days), Qingming 1 day (the day of
 * the solar term), Labour Day 2 days, Dragon Boat 1 day, Mid-Autumn 1 day, National Day 3 days.
 * Lunar dates and the solar term are computed by lunar-typescript, never typed by hand.
 */
export interface StatutoryHoliday {
  date: string;
  name: string;
}

const ymd = (year: number, month: number, day: number) =>
  DateTime.fromObject({ year, month, day }).toISODate() ?? '';

function lunarDate(lunarYear: number, lunarMonth: number, lunarDay: number, offsetDays = 0): string {
  const solar = Lunar.fromYmd(lunarYear, lunarMonth, lunarDay).getSolar().next(offsetDays);
  return ymd(solar.getYear(), solar.getMonth(), solar.getDay());
}

function qingming(year: number): string {
  const solar = Lunar.fromYmd(year, 1, 1).getJieQiTable()['清明'];
  return ymd(solar.getYear(), solar.getMonth(), solar.getDay());
}

export function statutoryHolidays(year: number): StatutoryHoliday[] {
  const springFestival = lunarDate(year, 1, 1);
  const days: StatutoryHoliday[] = [
    { date: ymd(year, 1, 1), name: '元旦' },
    // The eve is the last day of the twelfth lunar month (the 29th or the 30th): the day before day 1.
    ...[-1, 0, 1, 2].map((offset) => ({
      date: DateTime.fromISO(springFestival).plus({ days: offset }).toISODate() ?? '', name: '春节',
    })),
    { date: qingming(year), name: '清明节' },
    { date: ymd(year, 5, 1), name: '劳动节' },
    { date: ymd(year, 5, 2), name: '劳动节' },
    { date: lunarDate(year, 5, 5), name: '端午节' },
    { date: lunarDate(year, 8, 15), name: '中秋节' },
    { date: ymd(year, 10, 1), name: '国庆节' },
    { date: ymd(year, 10, 2), name: '国庆节' },
    { date: ymd(year, 10, 3), name: '国庆节' },
  ];
  // The eve of a Spring Festival in early January's lunar year can fall in the year before: keep the year's own days.
  return days.filter((d) => d.date.startsWith(String(year))).sort((a, b) => a.date.localeCompare(b.date));
}

/**
 * A provisional year: the statutory days, and for each of them that falls on a weekend day a
 * compensatory day off on the next working day after its festival (the regulation's article 6,
 * 适逢星期六、星期日，应当在工作日补假). It has no make-up working days: only the State Council's
 * yearly arrangement (调休) sets those, and importing it replaces this year.
 */
export function provisionalHolidays(year: number, weekendDays: number[]): string[] {
  const statutory = statutoryHolidays(year);
  const off = new Set(statutory.map((d) => d.date));
  const isWeekend = (date: string) => weekendDays.includes(DateTime.fromISO(date).weekday);
  for (const name of [...new Set(statutory.map((d) => d.name))]) {
    const festival = statutory.filter((d) => d.name === name).map((d) => d.date);
    let owed = festival.filter(isWeekend).length;
    let day = DateTime.fromISO(festival[festival.length - 1]);
    while (owed > 0) {
      day = day.plus({ days: 1 });
      const date = day.toISODate() ?? '';
      if (isWeekend(date) || off.has(date)) continue;
      off.add(date);
      owed--;
    }
  }
  return [...off].filter((d) => d.startsWith(String(year))).sort();
}
