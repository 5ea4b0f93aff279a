import { IrcParseError } from '../errors.ts';
import { MAX_INT32, type ChatEvent, type ChatEventKind } from '../events/chatEvent.ts';
import { MSG_PARAM_PREFIX } from './constants.ts';
import { eventId, NO_ANCHOR } from './eventId.ts';
import type { IrcMessage } from './types.ts';

/**
 * The fields every kind reads the same way (ids, room, badges, color, times, Shared Chat source,
 * msg-param-* params, tags, raw). Normalizers fill in the rest. Every event is built with the
 * same field order, so V8 keeps one object shape and JSON keeps the contract's column order.
 * A line without `id` and `tmi-sent-ts` gets the id of NO_ANCHOR here; the reader's
 * EventIdResolver replaces it with the one every replica agrees on.
 */
export function baseEvent(message: IrcMessage, kind: ChatEventKind, channel: string, receivedAt: number): ChatEvent {
  const tags = message.tags;
  const sentTs = intTag(tags, 'tmi-sent-ts');
  const id = tags['id'];
  return {
    v: 1,
    event_id: id === undefined || id === '' ? eventId(message, NO_ANCHOR) : id,
    kind,
    subtype: null,
    channel,
    channel_id: stringTag(tags, 'room-id'),
    user_login: null,
    user_id: stringTag(tags, 'user-id'),
    display_name: stringTag(tags, 'display-name'),
    target_user_login: null,
    target_user_id: null,
    target_message_id: null,
    text: null,
    is_action: false,
    system_text: stringTag(tags, 'system-msg'),
    bits: intTag(tags, 'bits', MAX_INT32) ?? 0,
    ban_duration_s: null,
    badges: badgeList(tags['badges']),
    color: stringTag(tags, 'color'),
    sent_at: sentTs ?? receivedAt,
    received_at: receivedAt,
    source_channel_id: stringTag(tags, 'source-room-id'),
    source_event_id: stringTag(tags, 'source-id'),
    params: msgParams(message),
    tags,
    raw: message.raw,
  };
}

/** A tag's value, or null when it is missing or empty. */
export function stringTag(tags: Record<string, string>, key: string): string | null {
  const value = tags[key];
  return value === undefined || value === '' ? null : value;
}

/**
 * A non-negative integer tag (`bits`, `ban-duration`, `tmi-sent-ts`), or null when missing or
 * empty. Anything else (`bits=x`, `-5`, `1e3`, digits past 2^53, a value above `max`) rejects the
 * line: `bits` and `ban-duration` must fit every sink's column (Postgres integer: a larger value
 * failed the whole batch there, and ClickHouse's UInt32 wrapped it silently).
 */
export function intTag(tags: Record<string, string>, key: string, max = Number.MAX_SAFE_INTEGER): number | null {
  const value = tags[key];
  if (value === undefined || value === '') return null;
  if (value.length > 15) throw new IrcParseError(`tag ${key} is not a non-negative integer: ${JSON.stringify(clip(value))}`);
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const digit = value.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) throw new IrcParseError(`tag ${key} is not a non-negative integer: ${JSON.stringify(clip(value))}`);
    n = n * 10 + digit;
  }
  if (n > max) throw new IrcParseError(`tag ${key} is over ${max}: ${value}`);
  return n;
}

/**
 * The first parameter as a channel login: without `#`, lower case, 1–25 of `[a-z0-9_]` (a
 * NOTICE's global `*` too). It must come before the trailing parameter: `PRIVMSG :hello there`
 * has no channel, it is not a message to the channel "hello there".
 */
export function channelParam(message: IrcMessage): string {
  const params = message.params;
  const target = params.length > (message.trailing ? 1 : 0) ? params[0]! : '';
  const channel = (target.charCodeAt(0) === 0x23 ? target.slice(1) : target).toLowerCase();
  if (channel === '') throw new IrcParseError(`${message.command} without a channel`);
  if (!isLogin(channel) && !(channel === '*' && message.command === 'NOTICE')) {
    throw new IrcParseError(`invalid channel ${JSON.stringify(clip(target))}`);
  }
  return channel;
}

/** `login` itself when it is null or a valid Twitch login; otherwise the line is rejected (`what` names the field). */
export function checkedLogin(login: string | null, what: string): string | null {
  if (login === null || isLogin(login)) return login;
  throw new IrcParseError(`invalid ${what} ${JSON.stringify(clip(login))}`);
}

/** 1–25 characters of `[a-z0-9_]`: a Twitch login (real ones have at least 4; older and test accounts fewer). */
export function isLogin(text: string): boolean {
  const length = text.length;
  if (length === 0 || length > 25) return false;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x5f)) return false;
  }
  return true;
}

/** The last parameter after the target, or null when there is none (or it is empty). */
export function trailingParam(message: IrcMessage): string | null {
  const params = message.params;
  if (params.length < 2) return null;
  const text = params[params.length - 1]!;
  return text === '' ? null : text;
}

/** The nick of a `nick!user@host` prefix. */
export function prefixNick(prefix: string | null): string | null {
  if (prefix === null) return null;
  let end = prefix.indexOf('!');
  if (end === -1) end = prefix.indexOf('@');
  const nick = end === -1 ? prefix : prefix.slice(0, end);
  return nick === '' ? null : nick;
}

function badgeList(value: string | undefined): string[] {
  if (value === undefined || value === '') return [];
  const badges = value.split(',');
  return badges.includes('') ? badges.filter((badge) => badge !== '') : badges;
}

function msgParams(message: IrcMessage): Record<string, string> {
  const params: Record<string, string> = {};
  // Cheap pre-check: most lines (PRIVMSG) have no msg-param-* tags at all.
  if (message.raw.indexOf(MSG_PARAM_PREFIX) === -1) return params;
  for (const key in message.tags) {
    if (!key.startsWith(MSG_PARAM_PREFIX)) continue;
    const name = key.slice(MSG_PARAM_PREFIX.length);
    const value = message.tags[key]!;
    if (name === '__proto__') Object.defineProperty(params, name, { value, enumerable: true, writable: true, configurable: true });
    else params[name] = value;
  }
  return params;
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
