import type { Sink } from '../sinks/types.ts';
import { eventMix } from './definitions/eventMix.ts';
import { messagesPerMinute } from './definitions/messagesPerMinute.ts';
import { moderation } from './definitions/moderation.ts';
import { subscriptions } from './definitions/subscriptions.ts';
import { topChannels } from './definitions/topChannels.ts';
import { totals } from './definitions/totals.ts';
import { resolveTimeRange, type RangeOptions } from './resolveTimeRange.ts';
import { newestEventMs, runReport } from './runReport.ts';
import type { ReportRow, TimeRange } from './types.ts';

/** Everything the HTML report shows; embedded in the page as JSON. */
export interface ReportData {
  readonly sink: string;
  readonly generatedAt: number;
  readonly range: TimeRange;
  readonly totals: ReportRow;
  readonly timeline: { readonly bucketSeconds: number; readonly points: { t: number; messages: number }[] };
  readonly topChannels: ReportRow[];
  readonly eventMix: ReportRow[];
  readonly subscriptions: ReportRow[];
  readonly moderation: ReportRow[];
}

/** By default the report covers the day before the newest stored event. */
export const DEFAULT_REPORT_WINDOW_MS = 86_400_000;
const BUCKETS = [60, 300, 900, 3600, 3 * 3600, 6 * 3600, 86_400, 7 * 86_400];
const MAX_POINTS = 400;

export async function collectReportData(sink: Sink, options: RangeOptions & { limit?: number; now?: number } = {}): Promise<ReportData> {
  const now = options.now ?? Date.now();
  const range = resolveTimeRange(options, await newestEventMs(sink), DEFAULT_REPORT_WINDOW_MS, { now });
  const explicit = { since: String(range.since), until: String(range.until), limit: options.limit ?? 10 };
  const [total] = (await runReport(sink, totals, explicit)).rows;
  const totalsRow = total ?? {};

  // The chart starts at the first event in range, so `--since all` does not draw decades of zeros.
  const first = typeof totalsRow.first_event === 'number' ? totalsRow.first_event : range.until - 1;
  const span = range.until - Math.max(range.since, first);
  const bucketSeconds = BUCKETS.find((s) => span / (s * 1000) <= MAX_POINTS) ?? BUCKETS[BUCKETS.length - 1]!;
  const timelineSince = Math.max(range.since, Math.floor(first / (bucketSeconds * 1000)) * bucketSeconds * 1000);
  const timeline = await runReport(sink, messagesPerMinute, { ...explicit, since: String(timelineSince), bucketSeconds });

  return {
    sink: sink.name,
    generatedAt: now,
    range,
    totals: totalsRow,
    timeline: { bucketSeconds, points: timeline.rows.map((r) => ({ t: Number(r.minute), messages: Number(r.messages) })) },
    topChannels: (await runReport(sink, topChannels, explicit)).rows,
    eventMix: (await runReport(sink, eventMix, explicit)).rows,
    subscriptions: (await runReport(sink, subscriptions, explicit)).rows,
    moderation: (await runReport(sink, moderation, explicit)).rows,
  };
}
