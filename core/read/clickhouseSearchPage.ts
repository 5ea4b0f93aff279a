import type { ChatEvent } from '../events/chatEvent.ts';
import { clickhouseTime } from '../sinks/clickhouse/clickhouseTime.ts';
import { readClickHouseChatEventRows } from '../sinks/clickhouse/readClickHouseChatEvents.ts';
import { EVENT_ID_SQL } from '../sinks/clickhouse/clickhouseLayout.ts';
import type { Sink } from '../sinks/types.ts';
import type { SearchPage } from './sqlChatReader.ts';
import type { StoredEvent } from './types.ts';

const byKey = (order: 'ASC' | 'DESC') => (a: StoredEvent, b: StoredEvent) =>
  (order === 'ASC' ? 1 : -1) * (a.sent_at - b.sent_at || Buffer.compare(Buffer.from(a.event_id), Buffer.from(b.event_id)));

/**
 * A ClickHouse search page (SearchPage) from chat_event_rows itself, not through chat_events:
 * that view reads FINAL, so every column the page selects (raw rebuilt from its template, tags,
 * text) was read for every row of the scope's range before the WHERE ran, and its SQL took
 * ~100 ms to plan. Two steps instead:
 * 1. the times of the first `limit` matching rows (matchTimes): the scope is the PREWHERE and the
 *    words the WHERE (left to itself ClickHouse tests the words first), ordered by sent_at, read
 *    a day range at a time in the page's order: the sort key (channel, day, user, sent_at:
 *    migration 7, rekeyChatEventRows.ts) keeps neither a channel's nor a user's rows in time
 *    order, so one query would read and sort the matches of every day before the first 100 (a
 *    user's common word at 10,000,000 events: ~200-400 ms in one query, ~30 ms by days). The
 *    resumed page's bound is `sent_at >=` the last one's, as step 1 reads no event id;
 * 2. the events at those times (on those days: the key's ranges) that are in the scope, after the
 *    last page's key and match, rebuilt in TypeScript (readClickHouseChatEvents.ts). Every
 *    match at a time of step 1 comes back, so ordering them by (sent_at, event_id) here and
 *    keeping `limit` gives the page exactly; copies of an event that merges have not
 *    collapsed yet (no FINAL) share both keys, and are kept once.
 * Measured in chdb on bench/chdbSearch.ts's data: docs/read-api.md ("Search").
 */
export const clickhouseSearchPage: SearchPage = {
  eventId: EVENT_ID_SQL,
  async read(sink, { scope, resume, keyset, match, params }, order, limit) {
    const times = await matchTimes(sink, `${scope}${resume}`, match, params, order, limit);
    if (times.length === 0) return { events: [], more: false };
    // The days as well: the key holds toDate(sent_at) before sent_at, which a set of times alone does not narrow.
    const days = `{p${params.length + 1}:Array(Date)}`;
    const at = `{p${params.length + 2}:Array(DateTime64(3, 'UTC'))}`;
    const rows = { compactRows: async (sql: string, p?: readonly unknown[]) => (await sink.query(sql, [...(p ?? [])])).map(Object.values) };
    const found = await readClickHouseChatEventRows(
      rows,
      `PREWHERE ${scope}${keyset} AND toDate(sent_at) IN ${days} AND sent_at IN ${at} WHERE ${match}`,
      [...params, [...new Set(times.map(dayText))], [...new Set(times.map((ms) => clickhouseTime(ms)))]],
    );
    const events = found.map(storedEvent).sort(byKey(order));
    const once = events.filter((e, i) => i === 0 || !sameKey(e, events[i - 1]!));
    return { events: once.slice(0, limit), more: times.length === limit };
  },
};

const DAY_MS = 86_400_000;
const dayText = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * The times of the first `limit` rows in `where` (a PREWHERE) that `match`, in `order`, a range
 * of days at a time: from the scope's first day with rows in the
 * page's order (its oldest ascending, its newest descending), 1 day, then the next 2, 4, 8, …
 * days, until `limit` times are found or the scope's other end is passed. The ranges follow each
 * other in the page's order without a gap, so their matches in turn are the matches in order. A
 * common word fills the page from the first day's granules; a rare one reads few ranges more than
 * one query would, and the two ends are each the key's first rows (read in order, a granule).
 */
async function matchTimes(
  sink: Pick<Sink, 'query'>,
  where: string,
  match: string,
  params: readonly unknown[],
  order: 'ASC' | 'DESC',
  limit: number,
): Promise<number[]> {
  const end = async (o: 'ASC' | 'DESC') => {
    const [row] = await sink.query(
      `SELECT toString(toDate(sent_at)) AS day FROM chat_event_rows WHERE ${where} ORDER BY toDate(sent_at) ${o} LIMIT 1`,
      [...params],
    );
    return row === undefined ? undefined : Date.parse(`${String(row.day)}T00:00:00Z`);
  };
  const first = await end(order);
  if (first === undefined) return [];
  const last = (await end(order === 'ASC' ? 'DESC' : 'ASC')) ?? first;
  const step = order === 'ASC' ? DAY_MS : -DAY_MS;
  const lo = `{p${params.length + 1}:Date}`;
  const hi = `{p${params.length + 2}:Date}`;
  const times: number[] = [];
  for (let from = first, span = 1; times.length < limit && (from - last) * step <= 0; from += span * step, span *= 2) {
    const to = from + (span - 1) * step;
    const days = step > 0 ? [from, to] : [to, from];
    const rows = await sink.query(
      `SELECT toUnixTimestamp64Milli(sent_at) AS sent_ms FROM chat_event_rows
        PREWHERE ${where} AND toDate(sent_at) BETWEEN ${lo} AND ${hi} WHERE ${match}
        ORDER BY sent_at ${order} LIMIT ${limit - times.length}`,
      [...params, ...days.map(dayText)],
    );
    for (const r of rows) times.push(Number(r.sent_ms));
  }
  return times;
}

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
