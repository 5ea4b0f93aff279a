import { dayStart, monthStart } from '../../core/read/utcCalendar.ts';
import { HttpError } from './errors.ts';

export type NameOrId = { readonly by: 'login'; readonly value: string } | { readonly by: 'id'; readonly value: string };

export type LogsTarget =
  | { readonly kind: 'latest' }
  | { readonly kind: 'range' }
  | { readonly kind: 'random' }
  | { readonly kind: 'day'; readonly fromMs: number; readonly toMs: number }
  | { readonly kind: 'month'; readonly fromMs: number; readonly toMs: number };

export interface LogsPath {
  readonly channel: NameOrId;
  readonly user: NameOrId | undefined;
  /** The path up to the date as the client spelled it, for the redirect to the newest logs. */
  readonly base: string;
  readonly target: LogsTarget;
}

/** A path segment percent-decoded, or 400 when it is not valid percent-encoding. */
export function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, `Invalid path segment "${segment}"`);
  }
}

function number(segment: string): number {
  if (!/^\d{1,4}$/.test(segment)) throw new HttpError(400, `Invalid date: "${segment}" is not a number`);
  return Number(segment);
}

function dateTarget(kind: 'day' | 'month', parts: readonly string[]): LogsTarget {
  const [year, month, day] = parts.map(number) as [number, number, number | undefined];
  const fromMs = kind === 'day' ? dayStart(year, month, day!) : monthStart(year, month);
  if (fromMs === null) throw new HttpError(400, `Invalid date: ${parts.join('/')}`);
  const to = new Date(fromMs);
  if (kind === 'day') to.setUTCDate(to.getUTCDate() + 1);
  else to.setUTCMonth(to.getUTCMonth() + 1);
  return { kind, fromMs, toMs: to.getTime() };
}

/**
 * `/channel/{login}` or `/channelid/{id}`, optionally `/user/{login}` or `/userid/{id}`, then
 * nothing, `/{y}/{m}/{d}` (channel), `/{y}/{m}` (user), `/random` or `/range`. Null when the
 * path is not a logs route; HttpError 400 when it is one with a bad date.
 */
export function parseLogsPath(pathname: string): LogsPath | null {
  const segments = pathname.replace(/\/+$/, '').split('/').slice(1);
  const [channelType, channel, ...rest] = segments;
  if ((channelType !== 'channel' && channelType !== 'channelid') || !channel) return null;
  let base = `/${channelType}/${channel}`;
  let user: NameOrId | undefined;
  if ((rest[0] === 'user' || rest[0] === 'userid') && rest[1]) {
    user = { by: rest[0] === 'user' ? 'login' : 'id', value: decodeSegment(rest[1]) };
    base += `/${rest[0]}/${rest[1]}`;
    rest.splice(0, 2);
  }
  let target: LogsTarget;
  if (rest.length === 0) target = { kind: 'latest' };
  else if (rest.length === 1 && (rest[0] === 'random' || rest[0] === 'range')) target = { kind: rest[0] };
  else if (rest.length === 3 && user === undefined) target = dateTarget('day', rest);
  else if (rest.length === 2 && user !== undefined) target = dateTarget('month', rest);
  else return null;
  return { channel: { by: channelType === 'channel' ? 'login' : 'id', value: decodeSegment(channel) }, user, base, target };
}
