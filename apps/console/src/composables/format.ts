/** Every time on screen is in Asia/Shanghai, whatever the browser's zone. */
export const TIME_ZONE = 'Asia/Shanghai';

const dateTime = new Intl.DateTimeFormat('zh-CN', {
  timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false,
});

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const parts = Object.fromEntries(dateTime.formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
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
  const parts = Object.fromEntries(dateTime.formatToParts(now).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}`;
}
