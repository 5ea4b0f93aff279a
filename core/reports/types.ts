import type { SinkName } from '../sinks/types.ts';

/** How a column's raw database value is turned into a report value. */
export const ColumnType = { Text: 'text', Int: 'int', Float: 'float', Time: 'time' } as const;
export type ColumnType = (typeof ColumnType)[keyof typeof ColumnType];

export interface ReportColumn {
  readonly name: string;
  readonly type: ColumnType;
}

/** Half-open range of sent_at, in ms since the epoch: since <= sent_at < until. */
export interface TimeRange {
  readonly since: number;
  readonly until: number;
}

/** Where a report's SQL runs: a sink, or a read service's read-only connection (its /stats). */
export interface ReportSource {
  readonly name: SinkName;
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
}

export interface ReportContext {
  readonly range: TimeRange;
  /** One channel's events only (the read API's /channel/{c}/stats); all channels when absent. */
  readonly channel?: string | undefined;
  readonly limit: number;
  /** Bucket width of time series reports. */
  readonly bucketSeconds: number;
}

/** A value in a finished report: time columns are ms since the epoch. */
export type ReportValue = string | number | null;
export type ReportRow = Record<string, ReportValue>;

export interface ReportDefinition {
  readonly name: string;
  readonly description: string;
  readonly columns: readonly ReportColumn[];
  /**
   * Default window, in ms, ending at the newest stored event; null means all stored data.
   * Anchoring on the newest event instead of the clock keeps reports on imported or old data useful.
   */
  readonly defaultWindowMs: number | null;
  readonly defaultBucketSeconds?: number;
  /** Time series reports list every bucket of the range, with 0 where the database has no row. */
  readonly timeSeries?: { readonly bucketColumn: string };
  sql(dialect: SinkName, context: ReportContext): string;
  /** Derived columns and clean-ups on the typed rows (shares, spans). */
  finish?(rows: ReportRow[]): ReportRow[];
}

export interface ReportResult {
  readonly report: string;
  readonly description: string;
  readonly range: TimeRange;
  readonly columns: readonly ReportColumn[];
  readonly rows: ReportRow[];
}
