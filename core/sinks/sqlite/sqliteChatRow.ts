import { CHAT_EVENT_KINDS, type ChatEvent } from '../../events/chatEvent.ts';
import { lineParts } from '../../events/lineParts.ts';
import { LINE_COLUMNS } from '../../events/lineTemplate.ts';
import { paramsOfTags, tagsOfLine } from '../../events/rebuildLine.ts';
import { decodeBadges, encodeBadges } from '../badgeList.ts';

/**
 * How one ChatEvent is stored in `chat_event_rows` (the columns are listed in
 * sqliteLayout.ts). Every value takes the smallest SQLite form that gives the contract's value
 * back exactly: a lowercase UUID as its 16 bytes, a decimal id without leading zeros as an
 * INTEGER (the columns have no type, so SQLite keeps text as text: `007` stays `007`), kind as
 * its index in CHAT_EVENT_KINDS, received_at as its distance from sent_at, badges as the tag's
 * comma list, and the raw line as line parts (lineParts.ts). tags and params are rebuilt from
 * the raw line; they are stored only for an event whose tags are not those of its line (an
 * event not made by the normalizer).
 */
export type SqliteValue = string | number | bigint | Buffer | null;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function encodeEventId(id: string): Buffer | string {
  return UUID.test(id) ? Buffer.from(id.replaceAll('-', ''), 'hex') : id;
}

export function decodeEventId(value: unknown): string {
  if (!Buffer.isBuffer(value) && !(value instanceof Uint8Array)) return String(value);
  const hex = Buffer.from(value).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * `123` as the integer 123 (a bigint: better-sqlite3 binds a number as REAL, 8 bytes in a column
 * without affinity); `007`, `-1`, `1e3`, `12345678901234567890` and other text stay text.
 */
export function encodeDecimal(value: string | null): string | bigint | null {
  if (value === null || value.length === 0 || value.length > 15) return value;
  if (value.charCodeAt(0) === 0x30 && value.length > 1) return value;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return value;
  }
  return BigInt(value);
}

export { decodeBadges, encodeBadges };

const KIND_CODE = new Map<string, number>(CHAT_EVENT_KINDS.map((k, i) => [k, i]));

/** The view's `kind` expression: the code back to its name. */
export const KIND_SQL = `CASE kind ${CHAT_EVENT_KINDS.map((k, i) => `WHEN ${i} THEN '${k}'`).join(' ')} END`;

/** The same keys in the same order with the same values (what makes their JSON equal). */
function sameRecord(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  const other = Object.keys(b);
  if (keys.length !== other.length) return false;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (key !== other[i] || a[key] !== b[key]) return false;
  }
  return true;
}

/** The stored columns of an event, and its line's template (the sink turns it into template_id). */
export function sqliteChatRow(e: ChatEvent): { row: Record<string, SqliteValue>; template: string | null } {
  const parts = lineParts(e);
  const lineTags = tagsOfLine(e.raw);
  const tagsDerived = lineTags !== null && sameRecord(lineTags, e.tags);
  const paramsDerived = tagsDerived && sameRecord(paramsOfTags(lineTags), e.params);
  return {
    template: parts.template,
    row: {
      event_id: encodeEventId(e.event_id),
      kind: KIND_CODE.get(e.kind)!,
      subtype: e.subtype,
      channel: e.channel,
      channel_id: encodeDecimal(e.channel_id),
      user_login: e.user_login,
      user_id: encodeDecimal(e.user_id),
      display_name: e.display_name,
      target_user_login: e.target_user_login,
      target_user_id: encodeDecimal(e.target_user_id),
      target_message_id: e.target_message_id,
      text: e.text,
      is_action: e.is_action ? 1 : 0,
      system_text: e.system_text,
      bits: e.bits,
      ban_duration_s: e.ban_duration_s,
      badges: encodeBadges(e.badges),
      color: e.color,
      sent_at: e.sent_at,
      received_delay_ms: e.received_at - e.sent_at,
      source_channel_id: encodeDecimal(e.source_channel_id),
      source_event_id: e.source_event_id,
      extras: parts.extras === '' ? null : parts.extras,
      residual: parts.residual,
      tags_json: tagsDerived ? null : JSON.stringify(e.tags),
      params_json: paramsDerived ? null : JSON.stringify(e.params),
    },
  };
}

/**
 * The columns poglytics_raw() receives after the template, extras and residual: the stored
 * forms of LINE_COLUMNS, which it turns back into the values a template refers to.
 */
export const RAW_ARGUMENT_COLUMNS = LINE_COLUMNS;

/** A stored column value as the text a template slot stands for. */
export function slotValue(column: (typeof LINE_COLUMNS)[number], value: unknown): string {
  if (value === null || value === undefined) return '';
  if (column === 'event_id') return decodeEventId(value);
  if (column === 'badges') return decodeBadges(typeof value === 'string' ? value : null).join(',');
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' ? String(value) : '';
}
