import { ReportOptionError } from './errors.ts';
import type { TimeRange } from './types.ts';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** `90s`, `15m`, `2h`, `7d`, `1w` → ms; undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+)(ms|s|m|h|d|w)$/.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/**
 * A point in time from the command line: a duration counts back from `anchor`, an all-digit value is ms since the epoch, anything else must be a date Date.parse reads
 * (ISO 8601 such as 2024-05-01 or 2024-05-01T12:00:00Z).
 */
export function parseInstant(text: string, anchor: number, option: string): number {
  const duration = parseDuration(text);
  if (duration !== undefined) return anchor - duration;
  if (/^\d+$/.test(text.trim())) return Number(text.trim());
  const parsed = Date.parse(text);
  if (Number.isNaN(parsed))
    throw new ReportOptionError(`${option} "${text}" is neither a duration (15m, 2h, 7d), epoch ms nor a date (2024-05-01T12:00:00Z)`);
  return parsed;
}

export interface RangeOptions {
  readonly since?: string | undefined;
  readonly until?: string | undefined;
}

/**
 * The range a report covers. Without options it ends just after the newest stored event (or now
 * when nothing is stored) and starts `defaultWindowMs` earlier, or at the epoch when the report
 * covers all data: reports on imported or old data show that data, not an empty recent window.
 * A --since duration counts back from --until; `--since all` covers everything.
 */
export function resolveTimeRange(
  options: RangeOptions,
  newestEventMs: number | null,
  defaultWindowMs: number | null,
  { now = Date.now(), bucketMs = 1 }: { now?: number | undefined; bucketMs?: number } = {},
): TimeRange {
  const anchor = newestEventMs === null ? now : newestEventMs + 1;
  // Time series end on a bucket boundary, so the default window holds whole buckets only.
  const until = Math.ceil((options.until === undefined ? anchor : parseInstant(options.until, anchor, '--until')) / bucketMs) * bucketMs;
  let since: number;
  if (options.since === 'all') since = 0;
  else if (options.since !== undefined) since = parseInstant(options.since, until, '--since');
  else since = defaultWindowMs === null ? 0 : until - defaultWindowMs;
  since = Math.max(0, Math.floor(since / bucketMs) * bucketMs);
  if (since >= until)
    throw new ReportOptionError(
      `the range is empty: --since ${new Date(since).toISOString()} is not before --until ${new Date(until).toISOString()}`,
    );
  return { since, until };
}
