import { escapeTagValue } from '../irc/escapeTagValue.ts';
import type { ChatEvent } from './chatEvent.ts';
import { columnIndex, COLUMN_MARK, EXTRA_SEPARATOR, lineValues, type LineColumn } from './lineTemplate.ts';
import { rebuildLine } from './rebuildLine.ts';

/** A raw line as stored (format: lineTemplate.ts). */
export interface LineParts {
  /** The skeleton, or null when the line is stored whole in `residual`. */
  readonly template: string | null;
  /** Values the columns do not hold, joined by \x1e; '' when none. */
  readonly extras: string;
  /** The raw line, only when the template cannot rebuild it. */
  readonly residual: string | null;
}

/** Which columns a tag's value may come from; the first one that gives the value wins. */
const TAG_COLUMNS: Readonly<Record<string, readonly LineColumn[]>> = {
  id: ['event_id'],
  'room-id': ['channel_id'],
  'user-id': ['user_id'],
  'display-name': ['display_name'],
  'system-msg': ['system_text'],
  badges: ['badges'],
  color: ['color'],
  'tmi-sent-ts': ['sent_at'],
  bits: ['bits'],
  'ban-duration': ['ban_duration_s'],
  'target-user-id': ['target_user_id'],
  'msg-id': ['subtype'],
  'source-msg-id': ['subtype'],
  login: ['user_login'],
  'target-msg-id': ['target_message_id'],
  'reply-parent-msg-id': ['target_message_id'],
  'source-room-id': ['source_channel_id'],
  'source-id': ['source_event_id'],
  'msg-param-recipient-user-name': ['target_user_login'],
  'msg-param-recipient-name': ['target_user_login'],
  'msg-param-recipient-id': ['target_user_id'],
};

const TWITCH_HOST = 'tmi.twitch.tv';
const ACTION_OPEN = '\x01ACTION ';
const ACTION_CLOSE = '\x01';
const MARKERS = /[\x1e\x1f]/;

/** Builds a template and its extras from one line, given the event's column values. */
class TemplateBuilder {
  template = '';
  readonly extras: string[] = [];
  constructor(private readonly values: readonly string[]) {}

  literal(text: string): void {
    this.template += text;
  }

  extra(token: string): void {
    if (token === '') return;
    this.template += EXTRA_SEPARATOR;
    this.extras.push(token);
  }

  /** Appends a slot for the first column whose value (as is, or tag-escaped) is the token, else an extra. */
  value(token: string, columns: readonly LineColumn[], escaped: boolean): void {
    if (token === '') return;
    for (const column of columns) {
      const index = columnIndex(column);
      const value = this.values[index]!;
      if (value === token) return this.column(index, false);
      if (escaped && escapeTagValue(value) === token) return this.column(index, true);
    }
    this.extra(token);
  }

  column(index: number, escaped: boolean): void {
    this.template += COLUMN_MARK + String.fromCharCode((escaped ? 0x41 : 0x61) + index);
  }
}

/**
 * The parts a sink stores for an event's raw line instead of the line: a template (the line's
 * shape, with slots for the event's columns), the extras, and the raw line itself only when the
 * rebuild from the first two and the columns is not byte for byte the raw line.
 */
export function lineParts(e: ChatEvent): LineParts {
  const raw = e.raw;
  const whole: LineParts = { template: null, extras: '', residual: raw };
  if (MARKERS.test(raw)) return whole;
  const values = lineValues(e);
  const b = new TemplateBuilder(values);
  let pos = 0;
  if (raw.charCodeAt(0) === 0x40) {
    const tagsEnd = raw.indexOf(' ');
    if (tagsEnd === -1) return whole;
    b.literal('@');
    pos = 1;
    while (pos < tagsEnd) {
      let entryEnd = raw.indexOf(';', pos);
      if (entryEnd === -1 || entryEnd > tagsEnd) entryEnd = tagsEnd;
      const equals = raw.indexOf('=', pos);
      if (equals === -1 || equals > entryEnd) b.literal(raw.slice(pos, entryEnd));
      else {
        const key = raw.slice(pos, equals);
        b.literal(raw.slice(pos, equals + 1));
        // hasOwn: a tag named `__proto__` or `constructor` must not find Object.prototype's.
        b.value(raw.slice(equals + 1, entryEnd), Object.hasOwn(TAG_COLUMNS, key) ? TAG_COLUMNS[key]! : [], true);
      }
      if (entryEnd < tagsEnd) b.literal(';');
      pos = entryEnd + 1;
    }
    pos = tagsEnd;
  }
  pos = spaces(raw, pos, b);
  if (raw.charCodeAt(pos) === 0x3a) {
    let end = raw.indexOf(' ', pos);
    if (end === -1) end = raw.length;
    b.literal(':');
    prefix(raw.slice(pos + 1, end), values[columnIndex('user_login')]!, b);
    pos = spaces(raw, end, b);
  }
  let commandEnd = raw.indexOf(' ', pos);
  if (commandEnd === -1) commandEnd = raw.length;
  b.literal(raw.slice(pos, commandEnd));
  pos = commandEnd;
  let middle = 0;
  while (pos < raw.length) {
    pos = spaces(raw, pos, b);
    if (pos >= raw.length) break;
    if (raw.charCodeAt(pos) === 0x3a) {
      b.literal(':');
      trailing(raw.slice(pos + 1), values, b);
      break;
    }
    let end = raw.indexOf(' ', pos);
    if (end === -1) end = raw.length;
    const token = raw.slice(pos, end);
    if (end === raw.length && middle > 0) trailing(token, values, b);
    else if (middle === 0 && token.charCodeAt(0) === 0x23) {
      b.literal('#');
      b.value(token.slice(1), ['channel'], false);
    } else b.value(token, middle === 0 ? ['channel'] : [], false);
    middle++;
    pos = end;
  }
  const parts: LineParts = { template: b.template, extras: b.extras.join(EXTRA_SEPARATOR), residual: null };
  return rebuildLine(parts.template, parts.extras, null, values) === raw ? parts : whole;
}

function spaces(raw: string, from: number, b: TemplateBuilder): number {
  let pos = from;
  while (raw.charCodeAt(pos) === 0x20) pos++;
  if (pos > from) b.literal(raw.slice(from, pos));
  return pos;
}

/** `login!login@login.tmi.twitch.tv` (a chatter) and `tmi.twitch.tv` (the server) are shapes; anything else is an extra. */
function prefix(text: string, login: string, b: TemplateBuilder): void {
  if (text === TWITCH_HOST) return b.literal(text);
  const user = columnIndex('user_login');
  if (login !== '' && text === `${login}!${login}@${login}.${TWITCH_HOST}`) {
    b.column(user, false);
    b.literal('!');
    b.column(user, false);
    b.literal('@');
    b.column(user, false);
    b.literal(`.${TWITCH_HOST}`);
    return;
  }
  b.extra(text);
}

/** The last parameter: the text (a `/me` text inside its CTCP wrapper), or a CLEARCHAT's target user. */
function trailing(token: string, values: readonly string[], b: TemplateBuilder): void {
  const text = values[columnIndex('text')]!;
  if (
    token.startsWith(ACTION_OPEN) &&
    token.endsWith(ACTION_CLOSE) &&
    token.length > ACTION_OPEN.length &&
    token.slice(ACTION_OPEN.length, -1) === text
  ) {
    b.literal(ACTION_OPEN);
    b.value(text, ['text'], false);
    b.literal(ACTION_CLOSE);
    return;
  }
  b.value(token, ['text', 'target_user_login'], false);
}
