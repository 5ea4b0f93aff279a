/** Calendar arithmetic in UTC, the time zone of every log route (justlog and rustlog alike). */
export interface DateParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

export function utcParts(ms: number): DateParts {
  const d = new Date(ms);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** Start of a UTC day, or null when the parts do not name a real day (2024-02-30). */
export function dayStart(year: number, month: number, day: number): number | null {
  const ms = Date.UTC(year, month - 1, day);
  const back = utcParts(ms);
  return back.year === year && back.month === month && back.day === day && year >= 1970 && year <= 9999 ? ms : null;
}

export function monthStart(year: number, month: number): number | null {
  return dayStart(year, month, 1);
}

export function nextDayStart(ms: number): number {
  const { year, month, day } = utcParts(ms);
  return Date.UTC(year, month - 1, day + 1);
}

export function nextMonthStart(ms: number): number {
  const { year, month } = utcParts(ms);
  return Date.UTC(year, month, 1);
}

/** `ms` moved by whole calendar months (justlog fills a missing range end with ± 1 month). */
export function addMonths(ms: number, months: number): number {
  const d = new Date(ms);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.getTime();
}
