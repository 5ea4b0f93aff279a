import type { ChatEvent } from '../events/chatEvent.ts';
import { clickhouseTime } from '../sinks/clickhouse/clickhouseTime.ts';
import { readClickHouseChatEventRows } from '../sinks/clickhouse/readClickHouseChatEvents.ts';
import { EVENT_ID_SQL } from '../sinks/clickhouse/clickhouseLayout.ts';
import type { SearchPage } from './sqlChatReader.ts';
import type { StoredEvent } from './types.ts';

const byKey = (order: 'ASC' | 'DESC') => (a: StoredEvent, b: StoredEvent) =>
  (order === 'ASC' ? 1 : -1) * (a.sent_at - b.sent_at || Buffer.compare(Buffer.from(a.event_id), Buffer.from(b.event_id)));

/**
 * A ClickHouse search page (SearchPage) from chat_event_rows itself, not through chat_events:
 * that view reads FINAL, so every column the page selects (raw rebuilt from its template, tags,
 * text) was read for every row of the scope's range before the WHERE ran, and its SQL took
 * ~100 ms to plan. Two queries instead:
 * 1. the times of the first `limit` matching rows: the scope is the PREWHERE and the words the
 *    WHERE (the words, computed from text, only where the scope has rows and the bloom filter
 *    of clickhouseSearchIndex.ts keeps the granule; left to itself ClickHouse tests the words
 *    first), ordered by sent_at, so the read goes in key order and stops at the limit. The
 *    resumed page's bound is `sent_at >=` the last one's, as step 1 reads no event id;
 * 2. the events at those times (a primary-key range each) that are in the scope, after the
 *    last page's key and match, rebuilt in TypeScript (readClickHouseChatEvents.ts). Every
 *    match at a time of step 1 comes back, so ordering them by (sent_at, event_id) here and
 *    keeping `limit` gives the page exactly; copies of an event that merges have not
 *    collapsed yet (no FINAL) share both keys, and are kept once.
 * Measured in chdb on bench/chdbSearch.ts's data: docs/read-api.md ("Search").
 */
export const clickhouseSearchPage: SearchPage = {
  eventId: EVENT_ID_SQL,
  async read(sink, { scope, resume, keyset, match, params }, order, limit) {
    const times = await sink.query(
      `SELECT toUnixTimestamp64Milli(sent_at) AS sent_ms FROM chat_event_rows PREWHERE ${scope}${resume} WHERE ${match}
        ORDER BY sent_at ${order} LIMIT ${limit}`,
      [...params],
    );
    if (times.length === 0) return { events: [], more: false };
    const at = `{p${params.length + 1}:Array(DateTime64(3, 'UTC'))}`;
    const rows = { compactRows: async (sql: string, p?: readonly unknown[]) => (await sink.query(sql, [...(p ?? [])])).map(Object.values) };
    const found = await readClickHouseChatEventRows(rows, `PREWHERE ${scope}${keyset} AND sent_at IN ${at} WHERE ${match}`, [
      ...params,
      [...new Set(times.map((t) => clickhouseTime(Number(t.sent_ms))))],
    ]);
    const events = found.map(storedEvent).sort(byKey(order));
    const once = events.filter((e, i) => i === 0 || !sameKey(e, events[i - 1]!));
    return { events: once.slice(0, limit), more: times.length === limit };
  },
};

const sameKey = (a: StoredEvent, b: StoredEvent) => a.sent_at === b.sent_at && a.event_id === b.event_id;

/** The read API's fields of a ChatEvent. */
function storedEvent(e: ChatEvent): StoredEvent {
  const { event_id, kind, subtype, channel, channel_id, user_login, user_id, display_name, target_user_login, target_user_id } = e;
  const { text, is_action, system_text, ban_duration_s, sent_at, tags, raw } = e;
  return {
    event_id,
    kind,
    subtype,
    channel,
    channel_id,
    user_login,
    user_id,
    display_name,
    target_user_login,
    target_user_id,
    text,
    is_action,
    system_text,
    ban_duration_s,
    sent_at,
    tags,
    raw,
  };
}
