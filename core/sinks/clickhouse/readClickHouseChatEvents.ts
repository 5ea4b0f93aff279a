import type { ChatEvent } from '../../events/chatEvent.ts';
import { lineValues } from '../../events/lineTemplate.ts';
import { paramsOfTags, rebuildLine } from '../../events/rebuildLine.ts';
import type { ChatEventRange } from '../sqlite/readChatEvents.ts';
import type { Sink } from '../types.ts';
import { OWN_PARAMS, OWN_TAGS, tagsOfTagSection } from './clickhouseChatRow.ts';
import { EVENT_ID_SQL } from './clickhouseLayout.ts';
import { clickhouseTime } from './clickhouseTime.ts';

/** The stored columns a ChatEvent is rebuilt from; the template as a key into the range's templates. */
const ROW_SELECT = `SELECT ${EVENT_ID_SQL} AS event_id, kind, subtype, channel, channel_id, user_login, user_id, display_name,
  target_user_login, target_user_id, target_message_id, text, is_action, system_text, bits, ban_duration_s, badges, color,
  toUnixTimestamp64Milli(sent_at) AS sent_ms, received_delay_ms, source_channel_id, source_event_id,
  toString(sipHash64(template)) AS template_key, extras, residual, own, own_tags, own_params
  FROM chat_event_rows FINAL`;

type StoredRow = Omit<ChatEvent, 'v' | 'sent_at' | 'received_at' | 'tags' | 'params' | 'raw'> & {
  sent_ms: number;
  received_delay_ms: number;
  template_key: string;
  extras: string;
  residual: string | null;
  own: number;
  own_tags: Record<string, string>;
  own_params: Record<string, string>;
};

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
 * here (rebuildLine, tagsOfTagSection). This is the read path for code: the chat_events view
 * gives the same values to plain SQL, but rebuilding in SQL costs far more than the rows'
 * transfer (bench/clickhouseReads.ts: a 100,000-event channel-day). Each distinct template of the
 * range travels once, in a first query, instead of once per row.
 */
export async function readClickHouseChatEvents(sink: Pick<Sink, 'query'>, range: ChatEventRange): Promise<ChatEvent[]> {
  const { where, params } = rangeSql(range);
  const templates = new Map<string, string>();
  for (const row of await sink.query(
    `SELECT DISTINCT toString(sipHash64(template)) AS key, template FROM chat_event_rows WHERE ${where} AND template IS NOT NULL`,
    params,
  ))
    templates.set(row.key as string, row.template as string);
  const rows = (await sink.query(`${ROW_SELECT} WHERE ${where} ORDER BY sent_at`, params)) as unknown as StoredRow[];
  return rows.map((row) => chatEventOfRow(row, templates));
}

function chatEventOfRow(row: StoredRow, templates: ReadonlyMap<string, string>): ChatEvent {
  const { sent_ms, received_delay_ms, template_key, extras, residual, own, own_tags, own_params, ...columns } = row;
  const event: ChatEvent = {
    v: 1,
    ...columns,
    sent_at: sent_ms,
    received_at: sent_ms + received_delay_ms,
    params: {},
    tags: {},
    raw: '',
  };
  event.raw = rebuildLine(residual === null ? (templates.get(template_key) ?? null) : null, extras, residual, lineValues(event));
  if (own & OWN_TAGS) event.tags = own_tags;
  else event.tags = Object.fromEntries(tagsOfTagSection(event.raw));
  event.params = own & OWN_PARAMS ? own_params : paramsOfTags(event.tags);
  return event;
}
