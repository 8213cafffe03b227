import { DateTime } from 'luxon';

export const PERIODS = ['day', 'week', 'month'] as const;
export type Period = (typeof PERIODS)[number];

export interface PeriodKeys {
  day: string;
  week: string;
  month: string;
}

/** Local day (YYYY-MM-DD), ISO week (YYYY-Www) and month (YYYY-MM) of an instant in `zone`. */
export function periodKeys(iso: string, zone: string): PeriodKeys {
  const local = DateTime.fromISO(iso, { zone });
  return {
    day: local.toFormat('yyyy-MM-dd'),
    week: local.toFormat("kkkk-'W'WW"),
    month: local.toFormat('yyyy-MM'),
  };
}
