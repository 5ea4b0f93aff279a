import type { SinkName } from '../sinks/types.ts';
import type { TimeRange } from './types.ts';

/**
 * The few places where report SQL differs between the sinks. Storage names are the same
 * everywhere (ARCHITECTURE.md, "Storage names"); sent_at is INTEGER ms on SQLite, timestamptz on
 * Postgres and DateTime64(3) on ClickHouse.
 *
 * Reports write their values as SQL literals rather than bind parameters: the three drivers bind
 * differently (`?`, `$1`, `{name:Type}`), and every value a report needs is an integer that
 * `integer()` checks before it reaches the text.
 */
export interface ReportSql {
  readonly dialect: SinkName;
  /** A table or view to read from; ClickHouse reads with FINAL so not-yet-merged duplicates count once. */
  from(table: string): string;
  /** A timestamp column as ms since the epoch (an integer). */
  epochMs(column: string): string;
  /** `column` within the range. */
  inRange(column: string, range: TimeRange): string;
  /** The start of the `seconds`-wide bucket of a timestamp column, as ms since the epoch. */
  bucketMs(column: string, seconds: number): string;
  /** A `msg-param-*` value (from the params object) as text, or NULL. */
  param(key: string): string;
  /** The same value as an integer, NULL when absent or not a number. */
  intParam(key: string): string;
  /** Rows in a GROUP BY that pass the condition (count of matches). */
  countIf(condition: string): string;
}

/**
 * `AND channel = '…'` when the report is narrowed to one channel, else nothing. A login is checked
 * to be Twitch's alphabet before it becomes a literal (no quoting rules differ between dialects then).
 */
export function inChannel(channel: string | undefined): string {
  if (channel === undefined) return '';
  if (!/^[a-z0-9_]{1,64}$/.test(channel)) throw new RangeError(`not a channel login: ${channel}`);
  return ` AND channel = '${channel}'`;
}

export function integer(value: number): string {
  if (!Number.isSafeInteger(value)) throw new RangeError(`not an integer: ${value}`);
  return String(value);
}

function paramKey(key: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(key)) throw new RangeError(`not a param key: ${key}`);
  return key;
}

const sqlite: ReportSql = {
  dialect: 'sqlite',
  from: (table) => table,
  epochMs: (column) => column,
  inRange: (column, { since, until }) => `${column} >= ${integer(since)} AND ${column} < ${integer(until)}`,
  bucketMs: (column, seconds) => `(${column} / ${integer(seconds * 1000)}) * ${integer(seconds * 1000)}`,
  param: (key) => `json_extract(params, '$."${paramKey(key)}"')`,
  intParam: (key) => `CAST(json_extract(params, '$."${paramKey(key)}"') AS INTEGER)`,
  countIf: (condition) => `count(CASE WHEN ${condition} THEN 1 END)`,
};

const pgTime = (ms: number) => `(timestamptz 'epoch' + ${integer(ms)} * interval '1 millisecond')`;

const postgres: ReportSql = {
  dialect: 'postgres',
  from: (table) => table,
  epochMs: (column) => `(extract(epoch from ${column}) * 1000)::bigint`,
  inRange: (column, { since, until }) => `${column} >= ${pgTime(since)} AND ${column} < ${pgTime(until)}`,
  bucketMs: (column, seconds) => `(floor(extract(epoch from ${column}) / ${integer(seconds)}) * ${integer(seconds * 1000)})::bigint`,
  param: (key) => `(params ->> '${paramKey(key)}')`,
  intParam: (key) => `(CASE WHEN (params ->> '${paramKey(key)}') ~ '^[0-9]{1,18}$' THEN (params ->> '${paramKey(key)}')::bigint END)`,
  countIf: (condition) => `count(*) FILTER (WHERE ${condition})`,
};

const chTime = (ms: number) => `fromUnixTimestamp64Milli(toInt64(${integer(ms)}), 'UTC')`;

const clickhouse: ReportSql = {
  dialect: 'clickhouse',
  from: (table) => (table === 'chat_events' || table === 'stream_snapshots' ? `${table} FINAL` : table),
  epochMs: (column) => `toUnixTimestamp64Milli(${column})`,
  inRange: (column, { since, until }) => `${column} >= ${chTime(since)} AND ${column} < ${chTime(until)}`,
  bucketMs: (column, seconds) => `intDiv(toUnixTimestamp64Milli(${column}), ${integer(seconds * 1000)}) * ${integer(seconds * 1000)}`,
  param: (key) => `nullIf(params['${paramKey(key)}'], '')`,
  intParam: (key) => `toInt64OrNull(params['${paramKey(key)}'])`,
  countIf: (condition) => `countIf(${condition})`,
};

const DIALECTS: Record<SinkName, ReportSql> = { sqlite, postgres, clickhouse };

export function reportSql(dialect: SinkName): ReportSql {
  return DIALECTS[dialect];
}
