import type Database from 'better-sqlite3';
import { CHAT_EVENT_KINDS, type ChatEvent } from '../../events/chatEvent.ts';
import { paramsOfTags, tagsOfLine } from '../../events/rebuildLine.ts';
import { compileTemplate, fillTags, fillTemplate, splitExtras, type CompiledTemplate } from '../../events/compiledTemplate.ts';
import { decodeBadges } from './sqliteChatRow.ts';
import { CHAT_EVENT_ROW_COLUMNS, UUID_TEXT } from './sqliteLayout.ts';

/** A channel's or a user's events with `from <= sent_at < to` (ms since the epoch), oldest first: the reads an index serves. */
export type ChatEventRange =
  | { readonly channel: string; readonly from: number; readonly to: number }
  | { readonly userLogin: string; readonly from: number; readonly to: number };

/** Each stored column's index in a row (a constant object: one property load per field, not a lookup). */
const I = Object.fromEntries(CHAT_EVENT_ROW_COLUMNS.map((c, i) => [c, i])) as Record<(typeof CHAT_EVENT_ROW_COLUMNS)[number], number>;

// A UUID event_id comes as its text: SQLite formats 16 bytes faster than node makes a Buffer of them.
export const CHAT_EVENT_ROW_SELECT = `SELECT ${CHAT_EVENT_ROW_COLUMNS.map((c) => (c === 'event_id' ? `CASE WHEN typeof(event_id) = 'blob' THEN ${UUID_TEXT('event_id')} ELSE event_id END` : c)).join(', ')} FROM chat_event_rows`;

interface Statements {
  readonly channel: Database.Statement;
  readonly user: Database.Statement;
  readonly template: Database.Statement;
  /** Compiled templates by their text (see readChatEvents on why by text, not by id). */
  readonly compiled: Map<string, CompiledTemplate>;
}

/** Distinct template texts one connection keeps compiled; a store holds a few hundred. */
const MAX_COMPILED_TEMPLATES = 4096;

// Prepared once per connection: preparing costs more than a small read.
const statementsOf = new WeakMap<Database.Database, Statements>();

function statements(db: Database.Database): Statements {
  let found = statementsOf.get(db);
  if (found === undefined) {
    found = {
      // Numbers, whatever the connection's default: ids of up to 15 digits and times fit a double.
      channel: db
        .prepare(`${CHAT_EVENT_ROW_SELECT} WHERE channel = ? AND sent_at >= ? AND sent_at < ? ORDER BY sent_at`)
        .raw(true)
        .safeIntegers(false),
      user: db
        .prepare(`${CHAT_EVENT_ROW_SELECT} WHERE user_login = ? AND sent_at >= ? AND sent_at < ? ORDER BY sent_at`)
        .raw(true)
        .safeIntegers(false),
      template: db.prepare('SELECT template FROM line_templates WHERE id = ?').pluck(),
      compiled: new Map(),
    };
    statementsOf.set(db, found);
  }
  return found;
}

/**
 * The events of a channel's or a user's time range as ChatEvents, read from the stored columns
 * of chat_event_rows with the raw line, tags and params rebuilt here in one pass. This is the
 * read path for code (the read API, tools); the chat_events view gives the same values to plain
 * SQL, but calling its SQL functions costs ~50 us a row where this costs ~10 (bench: a 100,000-
 * event channel-day in ~1.0 s here, 6.1 s through the view, 2.1 s for the first layout's plain
 * rows; bench/results/only-sinks.md).
 *
 * Templates are looked up by id once per read, not per connection: a row read here was
 * committed, so is the template it refers to, and a committed template never changes; a
 * longer-lived id cache could hold an id that a rolled-back write on this connection handed out.
 * What a text compiles to never changes, so the compiled templates are kept per connection by
 * their text: compiling (a generated builder per template) cost more than a user's month of
 * ~2,400 rows spread over ~50 templates takes to rebuild.
 */
export function readChatEvents(db: Database.Database, range: ChatEventRange): ChatEvent[] {
  const { channel, user, template, compiled } = statements(db);
  // Iterated, not .all(): each row's array is garbage as soon as its event is built.
  const rows = (
    'channel' in range ? channel.iterate(range.channel, range.from, range.to) : user.iterate(range.userLogin, range.from, range.to)
  ) as IterableIterator<unknown[]>;
  const templateOf = templateCache(template, compiled);
  const events: ChatEvent[] = [];
  for (const row of rows) events.push(chatEventOfRow(row, templateOf));
  return events;
}

/** Looks templates up by id, compiling each once for one read (see readChatEvents on why not longer). */
function templateCache(template: Database.Statement, byText: Map<string, CompiledTemplate>): (id: number) => CompiledTemplate {
  const templates = new Map<number, CompiledTemplate>();
  return (id: number) => {
    let found = templates.get(id);
    if (found === undefined) {
      const text = template.get(id) as string;
      found = byText.get(text);
      if (found === undefined) {
        if (byText.size >= MAX_COMPILED_TEMPLATES) byText.clear();
        found = compileTemplate(text);
        byText.set(text, found);
      }
      templates.set(id, found);
    }
    return found;
  };
}

/**
 * The rows of `SELECT … FROM chat_event_rows <tail>` (tail: WHERE, ORDER BY, LIMIT over the stored
 * columns; `params` its parameters) as ChatEvents, one at a time from the cursor: the read API
 * streams a range of any size this way. Stopping the iteration early closes the cursor.
 */
export function* iterateChatEvents(db: Database.Database, tail: string, params: readonly unknown[]): Generator<ChatEvent> {
  const { template, compiled } = statements(db);
  const templateOf = templateCache(template, compiled);
  const rows = db
    .prepare(`${CHAT_EVENT_ROW_SELECT} ${tail}`)
    .raw(true)
    .safeIntegers(false)
    .iterate(...params) as IterableIterator<unknown[]>;
  for (const row of rows) yield chatEventOfRow(row, templateOf);
}

/** A decimal id column: text, or an integer (read as a number: ids of up to 15 digits are stored as integers). */
const textOf = (value: unknown): string | null => (value === null ? null : typeof value === 'number' ? String(value) : (value as string));

/** One chat_event_rows row (columns in CHAT_EVENT_ROW_COLUMNS order, event_id as text) as the ChatEvent it stores. */
export function chatEventOfRow(row: readonly unknown[], templateOf: (id: number) => CompiledTemplate): ChatEvent {
  const sentAt = row[I.sent_at] as number;
  const event: ChatEvent = {
    v: 1,
    event_id: row[I.event_id] as string,
    kind: CHAT_EVENT_KINDS[row[I.kind] as number]!,
    subtype: row[I.subtype] as string | null,
    channel: row[I.channel] as string,
    channel_id: textOf(row[I.channel_id]),
    user_login: row[I.user_login] as string | null,
    user_id: textOf(row[I.user_id]),
    display_name: row[I.display_name] as string | null,
    target_user_login: row[I.target_user_login] as string | null,
    target_user_id: textOf(row[I.target_user_id]),
    target_message_id: row[I.target_message_id] as string | null,
    text: row[I.text] as string | null,
    is_action: row[I.is_action] === 1,
    system_text: row[I.system_text] as string | null,
    bits: row[I.bits] as number,
    ban_duration_s: row[I.ban_duration_s] as number | null,
    badges: decodeBadges(row[I.badges] as string | null),
    color: row[I.color] as string | null,
    sent_at: sentAt,
    received_at: sentAt + (row[I.received_delay_ms] as number),
    source_channel_id: textOf(row[I.source_channel_id]),
    source_event_id: row[I.source_event_id] as string | null,
    params: {},
    tags: {},
    raw: '',
  };
  const residual = row[I.residual] as string | null;
  const template = residual === null ? templateOf(row[I.template_id] as number) : undefined;
  const extras = template === undefined ? undefined : splitExtras(template, row[I.extras] as string | null);
  event.raw = template === undefined ? residual! : fillTemplate(template, extras, event, columnText);
  const tagsJson = row[I.tags_json] as string | null;
  const paramsJson = row[I.params_json] as string | null;
  if (tagsJson === null && template?.tags !== undefined) {
    const { tags, params } = fillTags(template, extras, event, columnText);
    event.tags = tags;
    event.params = paramsJson === null ? params : (JSON.parse(paramsJson) as Record<string, string>);
  } else {
    event.tags = tagsJson === null ? (tagsOfLine(event.raw) ?? {}) : (JSON.parse(tagsJson) as Record<string, string>);
    event.params = paramsJson === null ? paramsOfTags(event.tags) : (JSON.parse(paramsJson) as Record<string, string>);
  }
  return event;
}

/**
 * A column's value as the text a template slot stands for (lineValues in lineTemplate.ts), by its
 * index in LINE_COLUMNS. A switch of plain property loads: looking the field up by its name in
 * LINE_COLUMNS made every load a keyed one (bench: ~1 us a row of the user-month read).
 */
function columnText(event: ChatEvent, index: number): string {
  switch (index) {
    case 0:
      return event.event_id;
    case 1:
      return event.channel;
    case 2:
      return event.channel_id ?? '';
    case 3:
      return event.user_login ?? '';
    case 4:
      return event.user_id ?? '';
    case 5:
      return event.display_name ?? '';
    case 6:
      return event.target_user_login ?? '';
    case 7:
      return event.target_user_id ?? '';
    case 8:
      return event.target_message_id ?? '';
    case 9:
      return event.text ?? '';
    case 10:
      return event.system_text ?? '';
    case 11:
      return String(event.bits);
    case 12:
      return event.ban_duration_s === null ? '' : String(event.ban_duration_s);
    case 13:
      return event.badges.join(',');
    case 14:
      return event.color ?? '';
    case 15:
      return String(event.sent_at);
    case 16:
      return event.subtype ?? '';
    case 17:
      return event.source_channel_id ?? '';
    case 18:
      return event.source_event_id ?? '';
    default:
      throw new RangeError(`no line column ${index}`);
  }
}
