/** Every time on screen is in Asia/Shanghai, whatever the browser's zone. */
export const TIME_ZONE = 'Asia/Shanghai';

/**
 * Asia/Shanghai has kept UTC+8 without summer time since 1991, so a fixed offset gives the zone's
 * wall clock for every case this engine holds, without the browser loading its time-zone data
 * (an Intl.DateTimeFormat with a timeZone costs a fresh tab's first paint over 100 ms).
 */
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

function shanghaiParts(date: Date) {
  const wall = new Date(date.getTime() + SHANGHAI_OFFSET_MS).toISOString();
  return { year: wall.slice(0, 4), month: wall.slice(5, 7), day: wall.slice(8, 10), hour: wall.slice(11, 13), minute: wall.slice(14, 16) };
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const parts = shanghaiParts(new Date(iso));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

/** A span as the largest two units: 2天3小时, 45分钟 (or 2d 3h in English). */
export function formatDuration(ms: number, locale: string): string {
  const minutes = Math.max(0, Math.round(Math.abs(ms) / 60000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  const zh = locale === 'zh-CN';
  const unit = { d: zh ? '天' : 'd ', h: zh ? '小时' : 'h ', m: zh ? '分钟' : 'min' };
  if (days) return `${days}${unit.d}${hours ? `${hours}${unit.h}` : ''}`.trim();
  if (hours) return `${hours}${unit.h}${mins ? `${mins}${unit.m}` : ''}`.trim();
  return `${mins}${unit.m}`.trim();
}

/** Current month in Asia/Shanghai, as YYYY-MM. */
export function currentMonth(now = new Date()): string {
  const parts = shanghaiParts(now);
  return `${parts.year}-${parts.month}`;
}
