import { DateTime } from 'luxon';

export const PERIODS = ['day', 'week', 'month'] as const;
export type Period = (typeof PERIODS)[number];

export interface PeriodKeys {
  day: string;
  week: string;
  month: string;
}

const cache = new Map<string, PeriodKeys>();

/** Local day (YYYY-MM-DD), ISO week (YYYY-Www) and month (YYYY-MM) of an instant in `zone`. */
export function periodKeys(iso: string, zone: string): PeriodKeys {
  // Zone offsets are whole quarter-hours, so every instant of a quarter-hour has the same local day.
  const key = `${zone}|${Math.floor(Date.parse(iso) / 900_000)}`;
  let keys = cache.get(key);
  if (!keys) {
    const local = DateTime.fromISO(iso, { zone });
    keys = { day: local.toFormat('yyyy-MM-dd'), week: local.toFormat("kkkk-'W'WW"), month: local.toFormat('yyyy-MM') };
    if (cache.size > 500_000) cache.clear();
    cache.set(key, keys);
  }
  return keys;
}
