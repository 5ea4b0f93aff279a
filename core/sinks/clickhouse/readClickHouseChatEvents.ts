import type { ChatEvent } from '../../events/chatEvent.ts';
import { compileTemplate, fillTags, fillTemplate, splitExtras, type CompiledTemplate } from '../../events/compiledTemplate.ts';
import { LINE_COLUMNS } from '../../events/lineTemplate.ts';
import { paramsOfTags } from '../../events/rebuildLine.ts';
import type { ChatEventRange } from '../sqlite/readChatEvents.ts';
import { decodeEventId, OWN_PARAMS, OWN_TAGS, tagsOfTagSection } from './clickhouseChatRow.ts';
import { clickhouseTime } from './clickhouseTime.ts';

/** The stored columns a ChatEvent is rebuilt from, as selected; the template as a key into the range's templates. */
const STORED = {
  event_uuid: 'toString(event_uuid)',
  event_id_form: 'event_id_form',
  kind: 'kind',
  subtype: 'subtype',
  channel: 'channel',
  channel_id: 'channel_id',
  user_login: 'user_login',
  user_id: 'user_id',
  display_name: 'display_name',
  target_user_login: 'target_user_login',
  target_user_id: 'target_user_id',
  target_message_id: 'target_message_id',
  text: 'text',
  is_action: 'is_action',
  system_text: 'system_text',
  bits: 'bits',
  ban_duration_s: 'ban_duration_s',
  badges: 'badges',
  color: 'color',
  sent_ms: 'toUnixTimestamp64Milli(sent_at)',
  received_delay_ms: 'received_delay_ms',
  source_channel_id: 'source_channel_id',
  source_event_id: 'source_event_id',
  template_key: 'toString(sipHash64(template))',
  extras: 'extras',
  residual: 'residual',
  own: 'own',
  // JSON, '' when the row stores neither (most rows): '' travels in fewer bytes than two `{}` maps.
  own_tags: "if(own = 0, '', toJSONString(own_tags))",
  own_params: "if(own = 0, '', toJSONString(own_params))",
} as const;

/** Each selected column's index in a row (a constant object: one property load per field). */
const I = Object.fromEntries(Object.keys(STORED).map((c, i) => [c, i])) as Record<keyof typeof STORED, number>;

const ROW_SELECT = `SELECT ${Object.values(STORED).join(', ')} FROM chat_event_rows`;

/** What a read needs of the sink: rows as arrays (ClickHouseSink.compactRows). */
export interface CompactRowSource {
  compactRows(sql: string, params?: readonly unknown[]): Promise<unknown[][]>;
}

function rangeSql(range: ChatEventRange): { where: string; params: unknown[] } {
  const time = "sent_at >= {p2:DateTime64(3, 'UTC')} AND sent_at < {p3:DateTime64(3, 'UTC')}";
  const params = [clickhouseTime(range.from), clickhouseTime(range.to)];
  return 'channel' in range
    ? { where: `channel = {p1:String} AND ${time}`, params: [range.channel, ...params] }
    : { where: `user_login = {p1:String} AND ${time}`, params: [range.userLogin, ...params] };
}

/**
 * The events of a channel's or a user's time range as ChatEvents, oldest first, each once
 * (FINAL), read from the stored columns of chat_event_rows with raw, tags and params rebuilt
 * here (each template of the range compiled once: core/events/compiledTemplate.ts). This is the read path for code: the chat_events view
 * gives the same values to plain SQL, but rebuilding in SQL costs far more than the rows'
 * transfer (bench/clickhouseReads.ts: a 100,000-event channel-day). Each distinct template of the
 * range travels once, in a first query, instead of once per row.
 */
export async function readClickHouseChatEvents(sink: CompactRowSource, range: ChatEventRange): Promise<ChatEvent[]> {
  const { where, params } = rangeSql(range);
  return readRows(sink, where, params, `FINAL WHERE ${where} ORDER BY sent_at`);
}

/** ROW_SELECT with each row's template itself as its key: for a few rows, cheaper than a query for the distinct templates. */
const ROW_SELECT_WITH_TEMPLATE = `SELECT ${Object.values({ ...STORED, template_key: 'template' }).join(', ')} FROM chat_event_rows`;

/**
 * The stored rows that `tail` (`PREWHERE … WHERE …` over chat_event_rows, not FINAL: each copy of
 * an event that merges have not collapsed yet is a row) selects, as ChatEvents in no particular
 * order: a search page's events (core/read/clickhouseSearchPage.ts), a few rows, which bring
 * their templates along.
 */
export async function readClickHouseChatEventRows(sink: CompactRowSource, tail: string, params: readonly unknown[]): Promise<ChatEvent[]> {
  const rows = await sink.compactRows(`${ROW_SELECT_WITH_TEMPLATE} ${tail}`, params);
  const templates = new Map<string, CompiledTemplate>();
  for (const row of rows) {
    const template = row[I.template_key];
    if (typeof template === 'string' && !templates.has(template)) templates.set(template, compileTemplate(template));
  }
  return rows.map((row) => chatEventOfRow(row, templates));
}

/** The rows of `ROW_SELECT ${tail}` as ChatEvents, each template of `where`'s rows compiled once. */
async function readRows(sink: CompactRowSource, where: string, params: readonly unknown[], tail: string): Promise<ChatEvent[]> {
  const templates = new Map<string, CompiledTemplate>();
  for (const [key, template] of await sink.compactRows(
    `SELECT DISTINCT toString(sipHash64(template)), template FROM chat_event_rows WHERE ${where} AND template IS NOT NULL`,
    params,
  ))
    templates.set(key as string, compileTemplate(template as string));
  const rows = await sink.compactRows(`${ROW_SELECT} ${tail}`, params);
  const events = new Array<ChatEvent>(rows.length);
  for (let i = 0; i < rows.length; i++) events[i] = chatEventOfRow(rows[i]!, templates);
  return events;
}

function chatEventOfRow(row: readonly unknown[], templates: ReadonlyMap<string, CompiledTemplate>): ChatEvent {
  const sentAt = row[I.sent_ms] as number;
  const own = row[I.own] as number;
  const event: ChatEvent = {
    v: 1,
    event_id: decodeEventId(row[I.event_uuid] as string, row[I.event_id_form] as string),
    kind: row[I.kind] as ChatEvent['kind'],
    subtype: row[I.subtype] as string | null,
    channel: row[I.channel] as string,
    channel_id: row[I.channel_id] as string | null,
    user_login: row[I.user_login] as string | null,
    user_id: row[I.user_id] as string | null,
    display_name: row[I.display_name] as string | null,
    target_user_login: row[I.target_user_login] as string | null,
    target_user_id: row[I.target_user_id] as string | null,
    target_message_id: row[I.target_message_id] as string | null,
    text: row[I.text] as string | null,
    is_action: row[I.is_action] as boolean,
    system_text: row[I.system_text] as string | null,
    bits: row[I.bits] as number,
    ban_duration_s: row[I.ban_duration_s] as number | null,
    badges: row[I.badges] as string[],
    color: row[I.color] as string | null,
    sent_at: sentAt,
    received_at: sentAt + (row[I.received_delay_ms] as number),
    source_channel_id: row[I.source_channel_id] as string | null,
    source_event_id: row[I.source_event_id] as string | null,
    params: {},
    tags: {},
    raw: '',
  };
  const residual = row[I.residual] as string | null;
  const template = residual === null ? templates.get(row[I.template_key] as string) : undefined;
  if (template === undefined) {
    if (residual === null) throw new RangeError(`chat event ${event.event_id} has neither a template nor a residual`);
    event.raw = residual;
  }
  const extras = template === undefined ? undefined : splitExtras(template, row[I.extras] as string);
  if (template !== undefined) event.raw = fillTemplate(template, extras, event, columnText);
  const ownParams = () => JSON.parse(row[I.own_params] as string) as Record<string, string>;
  if ((own & OWN_TAGS) === 0 && template?.tags !== undefined) {
    const { tags, params } = fillTags(template, extras, event, columnText);
    event.tags = tags;
    event.params = own & OWN_PARAMS ? ownParams() : params;
  } else {
    event.tags =
      own & OWN_TAGS ? (JSON.parse(row[I.own_tags] as string) as Record<string, string>) : Object.fromEntries(tagsOfTagSection(event.raw));
    event.params = own & OWN_PARAMS ? ownParams() : paramsOfTags(event.tags);
  }
  return event;
}

/** A column's value as the text a template slot stands for (lineValues in lineTemplate.ts). */
function columnText(event: ChatEvent, index: number): string {
  const value = event[LINE_COLUMNS[index]!];
  if (value === null) return '';
  return Array.isArray(value) ? value.join(',') : String(value);
}
