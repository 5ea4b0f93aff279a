import { escapeTagValue } from '../irc/escapeTagValue.ts';
import { MSG_PARAM_PREFIX } from '../irc/constants.ts';
import { parseLine } from '../irc/parseLine.ts';
import { unescapeTagValue } from '../irc/unescapeTagValue.ts';
import { COLUMN_MARK, EXTRA_SEPARATOR, type LineValues } from './lineTemplate.ts';

const LOWER_A = 0x61;
const UPPER_A = 0x41;

/**
 * The raw line from its stored parts (format: lineTemplate.ts): the residual when there is one,
 * else the template with its extras and column values put back.
 */
export function rebuildLine(
  template: string | null,
  extras: string | null,
  residual: string | null,
  values: LineValues | ColumnValue,
): string {
  if (residual !== null) return residual;
  if (template === null) throw new RangeError('a stored line has neither a template nor a residual');
  const value = typeof values === 'function' ? values : (index: number) => values[index] ?? '';
  const pieces = template.split(EXTRA_SEPARATOR);
  const extra = pieces.length > 1 ? (extras ?? '').split(EXTRA_SEPARATOR) : [];
  let out = '';
  for (let p = 0; p < pieces.length; p++) {
    if (p > 0) out += extra[p - 1] ?? '';
    out += fillColumns(pieces[p]!, value);
  }
  return out;
}

/** A column's value as text by its index in LINE_COLUMNS (asked only for the columns a template uses). */
export type ColumnValue = (index: number) => string;

function fillColumns(piece: string, columnValue: ColumnValue): string {
  let mark = piece.indexOf(COLUMN_MARK);
  if (mark === -1) return piece;
  let out = piece.slice(0, mark);
  while (mark !== -1) {
    const code = piece.charCodeAt(mark + 1);
    const lower = code >= LOWER_A;
    const value = columnValue(code - (lower ? LOWER_A : UPPER_A));
    out += lower ? value : escapeTagValue(value);
    const next = piece.indexOf(COLUMN_MARK, mark + 2);
    out += piece.slice(mark + 2, next === -1 ? piece.length : next);
    mark = next;
  }
  return out;
}

/** The `tags` of a ChatEvent whose raw line this is (what the normalizer gives), or null when it is not an IRC line. */
export function tagsOfLine(raw: string): Record<string, string> | null {
  try {
    return parseLine(raw).tags;
  } catch {
    return null;
  }
}

/**
 * JSON.stringify of tagsOfLine(raw) and of its params, for a line that parses, built straight
 * from the tag section: a plain value is copied, any other is unescaped and quoted on its own.
 * That equals stringifying the parsed objects while no key repeats, needs JSON escaping or
 * starts with a digit (JSON puts integer-like keys first), which holds for every Twitch line;
 * any other line is parsed. Views call it on every row they read.
 */
export function tagsJsonOfLine(raw: string): { tags: string; params: string } {
  if (raw.charCodeAt(0) !== 0x40) return parsedJson(raw);
  const end = raw.indexOf(' ');
  if (end === -1) return parsedJson(raw);
  let tags = '';
  let params = '';
  const keys = new Set<string>();
  let pos = 1;
  while (pos < end) {
    let entryEnd = raw.indexOf(';', pos);
    if (entryEnd === -1 || entryEnd > end) entryEnd = end;
    if (entryEnd > pos) {
      let equals = raw.indexOf('=', pos);
      if (equals === -1 || equals > entryEnd) equals = entryEnd;
      const key = raw.slice(pos, equals);
      if (!PLAIN_KEY.test(key) || keys.has(key)) return parsedJson(raw);
      keys.add(key);
      const text = equals === entryEnd ? '' : raw.slice(equals + 1, entryEnd);
      const value = PLAIN_VALUE.test(text) ? `"${text}"` : JSON.stringify(unescapeTagValue(text));
      tags += `,"${key}":${value}`;
      if (key.startsWith(MSG_PARAM_PREFIX)) {
        const name = key.slice(MSG_PARAM_PREFIX.length);
        if (!PLAIN_KEY.test(name) || name === '__proto__') return parsedJson(raw);
        params += `,"${name}":${value}`;
      }
    }
    pos = entryEnd + 1;
  }
  return { tags: `{${tags.slice(1)}}`, params: `{${params.slice(1)}}` };
}

function parsedJson(raw: string): { tags: string; params: string } {
  const tags = tagsOfLine(raw) ?? {};
  return { tags: JSON.stringify(tags), params: JSON.stringify(paramsOfTags(tags)) };
}

/** Printable ASCII without `"` and `\\`, not starting with a digit. */
const PLAIN_KEY = /^[\x21\x23-\x2f\x3a-\x5b\x5d-\x7e][\x21\x23-\x5b\x5d-\x7e]*$/;
/** Text that is its own unescaped value and JSON string body (may be empty). */
const PLAIN_VALUE = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** The `params` of a ChatEvent with these tags: the msg-param-* tags without the prefix. */
export function paramsOfTags(tags: Readonly<Record<string, string>>): Record<string, string> {
  const params: Record<string, string> = {};
  for (const key in tags) {
    if (!key.startsWith(MSG_PARAM_PREFIX)) continue;
    const name = key.slice(MSG_PARAM_PREFIX.length);
    // `__proto__` is a legal tag key; a plain assignment would change the prototype instead
    // (defineProperty only for it: it is several times slower, and readers call this per row).
    if (name === '__proto__')
      Object.defineProperty(params, name, { value: tags[key]!, enumerable: true, writable: true, configurable: true });
    else params[name] = tags[key]!;
  }
  return params;
}
