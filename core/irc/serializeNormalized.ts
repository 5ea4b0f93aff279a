import type { ChatEvent } from '../events/chatEvent.ts';

/** A character JSON must escape: `"`, `\` and the C0 controls (JSON.stringify escapes nothing else in well-formed text). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;

const str = (value: string | null): string => (value === null ? 'null' : `"${value}"`);

function list(values: readonly string[]): string {
  if (values.length === 0) return '[]';
  let out = `["${values[0]}`;
  for (let i = 1; i < values.length; i++) out += `","${values[i]}`;
  return `${out}"]`;
}

function record(values: Readonly<Record<string, string>>): string {
  let out = '';
  // for…in enumerates in JSON.stringify's order (integer-like keys first, then insertion order).
  for (const key in values) out += `${out === '' ? '{"' : ',"'}${key}":"${values[key]}"`;
  return out === '' ? '{}' : `${out}}`;
}

/** Every field before `tags`, as JSON, for an event whose strings need no escaping. */
function head(e: ChatEvent): string {
  return (
    `{"v":1,"event_id":"${e.event_id}","kind":"${e.kind}","subtype":${str(e.subtype)},"channel":"${e.channel}",` +
    `"channel_id":${str(e.channel_id)},"user_login":${str(e.user_login)},"user_id":${str(e.user_id)},` +
    `"display_name":${str(e.display_name)},"target_user_login":${str(e.target_user_login)},` +
    `"target_user_id":${str(e.target_user_id)},"target_message_id":${str(e.target_message_id)},"text":${str(e.text)},` +
    `"is_action":${e.is_action},"system_text":${str(e.system_text)},"bits":${e.bits},"ban_duration_s":${e.ban_duration_s},` +
    `"badges":${list(e.badges)},"color":${str(e.color)},"sent_at":${e.sent_at},"received_at":${e.received_at},` +
    `"source_channel_id":${str(e.source_channel_id)},"source_event_id":${str(e.source_event_id)},` +
    `"params":${record(e.params)},"tags":`
  );
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const SEMICOLON = 0x3b;
const EQUALS = 0x3d;
const SPACE = 0x20;
const AT = 0x40;
const RAW_KEY = Buffer.from(',"raw":"', 'latin1');

let scratch = Buffer.allocUnsafe(16 * 1024);

/**
 * The NDJSON line of an event fresh from normalizeLine, as UTF-8: byte for byte
 * JSON.stringify(event), given the bytes the raw line was decoded from (the line's exact UTF-8,
 * without CR LF). Every string of such an event is a constant, hex, or a piece of its raw line
 * (unescaped, which leaves a line without a backslash unchanged, or lower-cased); so when the raw
 * line holds no `"`, `\` or control character, no string needs escaping and each is written as it
 * is. Any other line goes through JSON.stringify. Only for events straight from normalizeLine: an
 * event built or changed elsewhere may break the premise.
 * On the fast path the two largest parts, `tags` and `raw` (two thirds of a chat event's JSON),
 * are copied from those bytes instead of being built as strings and encoded again: `raw` verbatim, `tags` by turning `k=v;` into `"k":"v",`. That equals
 * JSON.stringify only while every tag key is distinct and none looks like an array index (those
 * sort first); a line with a repeated key or a key starting with a digit takes the slow path.
 * The result is a view of a buffer that the next call overwrites: copy it before calling again.
 */
export function serializeNormalizedUtf8(e: ChatEvent, rawUtf8: Uint8Array): Uint8Array {
  const raw = e.raw;
  // normalizeLine drops a trailing CR LF that the bytes may still hold; such a line (and bytes
  // too short to encode the line at all) takes the slow path.
  const last = rawUtf8[rawUtf8.length - 1];
  if (last !== 0x0a && last !== 0x0d && rawUtf8.length >= raw.length && !NEEDS_ESCAPE.test(raw)) {
    const start = head(e);
    const needed = start.length * 3 + rawUtf8.length * 5 + 16;
    if (needed > scratch.length) scratch = Buffer.allocUnsafe(Math.max(needed, scratch.length * 2));
    let o = scratch.write(start, 0, 'utf8');
    o = writeTags(rawUtf8, scratch, o, e.tags);
    if (o !== -1) {
      for (let k = 0; k < RAW_KEY.length; k++) scratch[o++] = RAW_KEY[k]!;
      scratch.set(rawUtf8, o);
      o += rawUtf8.length;
      scratch[o++] = QUOTE;
      scratch[o++] = 0x7d;
      return scratch.subarray(0, o);
    }
  }
  const json = JSON.stringify(e);
  if (json.length * 3 > scratch.length) scratch = Buffer.allocUnsafe(Math.max(json.length * 3, scratch.length * 2));
  return scratch.subarray(0, scratch.write(json, 0, 'utf8'));
}

/**
 * The tag section of a line (between `@` and the first space) as the JSON of its tags object,
 * written at `o`; the new offset, or -1 when the bytes cannot stand for the object: a key that
 * starts with a digit or repeats (the object then has fewer keys than the section has entries).
 * Empty entries (`;;`) are skipped and a key without `=` gets `""`, as parseLine does.
 */
function writeTags(src: Uint8Array, out: Buffer, o: number, tags: Readonly<Record<string, string>>): number {
  out[o++] = 0x7b;
  let entries = 0;
  if (src[0] === AT) {
    const end = src.length;
    let i = 1;
    let c = 0;
    while (i < end && (c = src[i]!) !== SPACE) {
      if (c === SEMICOLON) {
        i++;
        continue;
      }
      if (c >= 0x30 && c <= 0x39) return -1;
      if (entries++ > 0) out[o++] = COMMA;
      out[o++] = QUOTE;
      while (i < end && (c = src[i]!) !== EQUALS && c !== SEMICOLON && c !== SPACE) {
        out[o++] = c;
        i++;
      }
      out[o++] = QUOTE;
      out[o++] = COLON;
      out[o++] = QUOTE;
      if (c === EQUALS) {
        i++;
        while (i < end && (c = src[i]!) !== SEMICOLON && c !== SPACE) {
          out[o++] = c;
          i++;
        }
      }
      out[o++] = QUOTE;
      if (c === SEMICOLON) i++;
    }
  }
  out[o++] = 0x7d;
  let keys = 0;
  for (const _key in tags) keys++;
  return keys === entries ? o : -1;
}
