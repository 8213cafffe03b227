import { DateTime } from 'luxon';

export const PERIODS = ['day', 'week', 'month'] as const;
export type Period = (typeof PERIODS)[number];

export interface PeriodKeys {
  day: string;
  week: string;
  month: string;
}

const QUARTER_HOUR = 900_000;

/** By zone, then by quarter-hour since the epoch: numbers as keys, no key text built per call. */
const caches = new Map<string, Map<number, PeriodKeys>>();

/** Local day (YYYY-MM-DD), ISO week (YYYY-Www) and month (YYYY-MM) of an instant in `zone`. */
export function periodKeys(iso: string, zone: string): PeriodKeys {
  let cache = caches.get(zone);
  if (!cache) caches.set(zone, (cache = new Map()));
  // Zone offsets are whole quarter-hours, so every instant of a quarter-hour has the same local day.
  const quarter = Math.floor(Date.parse(iso) / QUARTER_HOUR);
  let keys = cache.get(quarter);
  if (!keys) {
    const local = DateTime.fromISO(iso, { zone });
    keys = { day: local.toFormat('yyyy-MM-dd'), week: local.toFormat("kkkk-'W'WW"), month: local.toFormat('yyyy-MM') };
    if (cache.size > 500_000) cache.clear();
    cache.set(quarter, keys);
    // Every quarter-hour of that local day at once: one luxon call per day, not per quarter-hour (formatting is slow).
    const start = local.startOf('day').toMillis();
    const next = local.startOf('day').plus({ days: 1 }).startOf('day').toMillis(); // the next local midnight (a day whose midnight DST skips starts at 01:00)
    if (start % QUARTER_HOUR === 0 && next % QUARTER_HOUR === 0) {
      for (let k = start / QUARTER_HOUR; k < next / QUARTER_HOUR; k++) cache.set(k, keys);
    }
  }
  return keys;
}
