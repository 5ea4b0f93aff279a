import type { IncomingHttpHeaders } from 'node:http';
import { addMonths } from '../../core/read/utcCalendar.ts';
import { HttpError } from './errors.ts';
import { LogFormat } from './formats/logFormats.ts';

export interface LogsOptions {
  readonly format: LogFormat;
  readonly reverse: boolean;
  readonly limit: number | undefined;
  readonly offset: number | undefined;
  /** `[fromMs, toMs)` when the query names a range (`from` and/or `to`). */
  readonly range: { readonly fromMs: number; readonly toMs: number } | undefined;
}

/** A flag counts when present with any value (`?json`, `?json=1`), as in both archives; `=false` or `=0` turns it off. */
function flag(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  return value !== null && value !== 'false' && value !== '0';
}

function count(query: URLSearchParams, name: string): number | undefined {
  const value = query.get(name);
  if (value === null) return undefined;
  if (!/^\d{1,15}$/.test(value)) throw new HttpError(400, `Invalid param: ${name} must be a non-negative integer, got "${value}"`);
  return Number(value);
}

/** RFC 3339 (rustlog) or unix seconds (justlog). */
function instant(query: URLSearchParams, name: string): number | undefined {
  const value = query.get(name);
  if (value === null || value === '') return undefined;
  if (/^\d{1,12}$/.test(value)) return Number(value) * 1000;
  const rfc3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
  const ms = rfc3339.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new HttpError(400, `Invalid param: ${name} must be an RFC 3339 time or unix seconds, got "${value}"`);
  return ms;
}

const TYPES: Readonly<Record<string, LogFormat>> = { text: 'text', json: 'json', jsonbasic: 'jsonBasic', raw: 'raw', ndjson: 'ndjson' };

function format(query: URLSearchParams, headers: IncomingHttpHeaders): LogFormat {
  const type = query.get('type');
  if (type !== null && TYPES[type.toLowerCase()] === undefined) {
    throw new HttpError(400, `Invalid param: type must be one of ${Object.values(TYPES).join(', ')}, got "${type}"`);
  }
  const typed = type === null ? undefined : TYPES[type.toLowerCase()];
  // rustlog's precedence: raw, jsonBasic, json, ndjson, text.
  if (flag(query, 'raw') || typed === LogFormat.Raw) return LogFormat.Raw;
  if (flag(query, 'jsonBasic') || typed === LogFormat.JsonBasic) return LogFormat.JsonBasic;
  const wantsJson = (header: string | undefined) => header !== undefined && /(^|,)\s*application\/json\s*(;|,|$)/i.test(header);
  if (flag(query, 'json') || typed === LogFormat.Json || wantsJson(headers['content-type']) || wantsJson(headers.accept))
    return LogFormat.Json;
  if (flag(query, 'ndjson') || typed === LogFormat.NdJson) return LogFormat.NdJson;
  return LogFormat.Text;
}

export function parseLogsOptions(query: URLSearchParams, headers: IncomingHttpHeaders): LogsOptions {
  const from = instant(query, 'from');
  const to = instant(query, 'to');
  let range: LogsOptions['range'];
  if (from !== undefined || to !== undefined) {
    // justlog: one end alone means a month from (or up to) it.
    const fromMs = from ?? addMonths(to!, -1);
    const toMs = to ?? addMonths(from!, 1);
    if (fromMs >= toMs) throw new HttpError(400, 'Invalid param: from must be before to');
    range = { fromMs, toMs };
  }
  return {
    format: format(query, headers),
    reverse: flag(query, 'reverse'),
    limit: count(query, 'limit'),
    offset: count(query, 'offset'),
    range,
  };
}
