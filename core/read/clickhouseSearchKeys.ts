import { EVENT_ID_SQL } from '../sinks/clickhouse/clickhouseLayout.ts';
import type { ChatEvent } from '../events/chatEvent.ts';
import { readClickHouseChatEventsByKey } from '../sinks/clickhouse/readClickHouseChatEvents.ts';
import type { EventKey, SearchKeys } from './sqlChatReader.ts';
import type { StoredEvent } from './types.ts';

const byKey = (order: 'ASC' | 'DESC') => (a: EventKey, b: EventKey) =>
  (order === 'ASC' ? 1 : -1) * (a.ms - b.ms || Buffer.compare(Buffer.from(a.id), Buffer.from(b.id)));

/**
 * The first step of a ClickHouse search page (SearchKeys): the matches' keys from chat_event_rows
 * itself, not through chat_events FINAL, whose every selected column (raw rebuilt from its
 * template, tags, text) is read for every row of the scope's range before the WHERE runs:
 * - no FINAL: copies of an event (before merges collapse them) share sent_at and event id
 *   (clickhouseLayout.ts), so they are dropped here, among the matches only;
 * - the scope (channel, user, time, keyset) is the PREWHERE and the words the WHERE, so that
 *   text_words, the widest column, is read and tested only where the scope has rows (left to
 *   itself, ClickHouse tests the words first);
 * - ordered by the sort key (sent_at, event_uuid), which reads in order and stops at the limit
 *   (by the page's event_id it reads the whole range, WITH TIES too); the events sharing the
 *   last row's sent_at then come in a second query, one key range, so the page's end in
 *   (sent_at, event_id) order is exact;
 * - only event ids and times travel; the page's events are then read by key (sent_at IN the
 *   page's times: a primary-key range each) from the stored columns, raw and tags rebuilt in
 *   TypeScript (readClickHouseChatEvents.ts): the chat_events view's SQL for them took longer
 *   to plan than the rows took to read (~100 ms a page).
 * Measured in chdb on bench/chdbSearch.ts's data: docs/read-api.md ("Search").
 */
export const clickhouseSearchKeys: SearchKeys = {
  async find(sink, { scope, match, params }, order, limit) {
    const select = (extra: string, limitSql: string, more: readonly unknown[] = []) =>
      sink.query(
        `SELECT ${EVENT_ID_SQL} AS event_id, toUnixTimestamp64Milli(sent_at) AS sent_ms FROM chat_event_rows
          PREWHERE ${scope}${extra} WHERE ${match}
          ORDER BY sent_at ${order}, event_uuid ${order}${limitSql}`,
        [...params, ...more],
      );
    const toKeys = (rows: readonly Record<string, unknown>[]) => rows.map((r) => ({ ms: Number(r.sent_ms), id: String(r.event_id) }));
    let keys = toKeys(await select('', ` LIMIT ${limit}`));
    const more = keys.length === limit;
    const lastMs = keys.at(-1)?.ms;
    if (more && lastMs !== undefined) {
      const ties = await select(` AND sent_at = fromUnixTimestamp64Milli({p${params.length + 1}:Int64})`, '', [lastMs]);
      keys = [...keys.filter((k) => k.ms !== lastMs), ...toKeys(ties)];
    }
    keys.sort(byKey(order));
    const once = keys.filter((k, i) => i === 0 || k.ms !== keys[i - 1]!.ms || k.id !== keys[i - 1]!.id);
    return { keys: once.slice(0, limit), more };
  },
  async read(sink, keys) {
    const rows = {
      compactRows: async (sql: string, params?: readonly unknown[]) => (await sink.query(sql, [...(params ?? [])])).map(Object.values),
    };
    return (await readClickHouseChatEventsByKey(rows, keys)).map(storedEvent);
  },
};

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
