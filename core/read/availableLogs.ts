import type { ChatReader, ReadScope } from './types.ts';
import { nextDayStart, nextMonthStart, utcParts, type DateParts } from './utcCalendar.ts';

/**
 * The UTC days (or months) that hold at least one event in scope, newest first. A skip-scan: one
 * "first event at or after" seek per day found, so a channel with millions of events a day costs
 * no more than a quiet one.
 */
export async function availableLogs(reader: ChatReader, scope: ReadScope, unit: 'day' | 'month'): Promise<DateParts[]> {
  const step = unit === 'day' ? nextDayStart : nextMonthStart;
  const found: DateParts[] = [];
  for (let t = await reader.firstEventAt(scope, 0); t !== null; t = await reader.firstEventAt(scope, step(t))) {
    found.push(utcParts(t));
  }
  return found.reverse();
}
