import { ReportOptionError } from './errors.ts';
import { reportSql } from './reportSql.ts';
import { resolveTimeRange, type RangeOptions } from './resolveTimeRange.ts';
import type { ReportColumn, ReportDefinition, ReportResult, ReportRow, ReportSource, ReportValue, TimeRange } from './types.ts';

export interface RunReportOptions extends RangeOptions {
  readonly limit?: number | undefined;
  readonly bucketSeconds?: number | undefined;
  /** Narrow the report to one channel (reports that rank channels then list just that one). */
  readonly channel?: string | undefined;
  /** The clock, for the range when nothing is stored yet. */
  readonly now?: number;
}

export const DEFAULT_LIMIT = 10;
/** Beyond this many buckets a time series is not padded to the whole range (e.g. `--since all`). */
const MAX_FILLED_BUCKETS = 10_000;

/** ms since the epoch of the newest stored chat event, or null when there is none. */
export async function newestEventMs(sink: ReportSource): Promise<number | null> {
  const q = reportSql(sink.name);
  const [row] = await sink.query(`SELECT ${q.epochMs('max(sent_at)')} AS newest FROM ${q.from('chat_events')}`);
  const value = toValue(row?.newest, 'int');
  // ClickHouse answers max() over no rows with the epoch, not NULL.
  return typeof value === 'number' && value > 0 ? value : null;
}

/** Runs one report on any sink: resolves the range, queries, types the values, pads time series. */
export async function runReport(sink: ReportSource, report: ReportDefinition, options: RunReportOptions = {}): Promise<ReportResult> {
  const limit = options.limit ?? DEFAULT_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1) throw new ReportOptionError(`--limit must be a positive integer, got ${limit}`);
  const bucketSeconds = options.bucketSeconds ?? report.defaultBucketSeconds ?? 60;
  if (!Number.isSafeInteger(bucketSeconds) || bucketSeconds < 1)
    throw new ReportOptionError(`bucket must be a positive number of seconds, got ${bucketSeconds}`);

  const bucketMs = report.timeSeries ? bucketSeconds * 1000 : 1;
  const range = resolveTimeRange(options, await newestEventMs(sink), report.defaultWindowMs, { now: options.now, bucketMs });

  const raw = await sink.query(report.sql(sink.name, { range, limit, bucketSeconds, channel: options.channel }));
  let rows = raw.map((row) => typeRow(row, report.columns));
  if (report.timeSeries) rows = padTimeSeries(rows, report, range, bucketSeconds * 1000);
  if (report.finish) rows = report.finish(rows);
  return { report: report.name, description: report.description, range, columns: report.columns, rows };
}

function typeRow(row: Record<string, unknown>, columns: readonly ReportColumn[]): ReportRow {
  const typed: ReportRow = {};
  for (const column of columns) {
    if (column.name in row) typed[column.name] = toValue(row[column.name], column.type);
  }
  return typed;
}

/** Drivers return counts as numbers, bigints or strings (pg int8, ClickHouse UInt64 in JSON). */
function toValue(value: unknown, type: ReportColumn['type']): ReportValue {
  if (value === null || value === undefined) return null;
  if (type === 'text') {
    if (typeof value === 'string') return value;
    return typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
  }
  if (value instanceof Date) return value.getTime();
  const number = typeof value === 'bigint' ? Number(value) : Number(value);
  if (Number.isNaN(number)) return null;
  return type === 'float' ? number : Math.round(number);
}

function padTimeSeries(rows: ReportRow[], report: ReportDefinition, range: TimeRange, bucketMs: number): ReportRow[] {
  const column = report.timeSeries!.bucketColumn;
  const byBucket = new Map(rows.map((row) => [row[column], row]));
  let { since, until } = range;
  if ((until - since) / bucketMs > MAX_FILLED_BUCKETS) {
    const buckets = rows.map((row) => Number(row[column]));
    if (buckets.length === 0) return [];
    since = buckets.reduce((a, b) => Math.min(a, b));
    until = buckets.reduce((a, b) => Math.max(a, b)) + bucketMs;
    if ((until - since) / bucketMs > MAX_FILLED_BUCKETS) return rows;
  }
  const padded: ReportRow[] = [];
  for (let bucket = since; bucket < until; bucket += bucketMs) {
    const zero = Object.fromEntries(report.columns.map((c) => [c.name, c.type === 'text' ? null : 0]));
    padded.push(byBucket.get(bucket) ?? { ...zero, [column]: bucket });
  }
  return padded;
}
