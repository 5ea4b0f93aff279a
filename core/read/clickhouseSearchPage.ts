import type { ChatEvent } from '../events/chatEvent.ts';
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
 * ~100 ms to plan. The sort key (channel, day, user, sent_at: migration 7, rekeyChatEventRows.ts)
 * keeps neither a channel's nor a user's rows in time order, so one query would read and sort the
 * matches of every day before the first 100. Instead the page reads a range of days at a time in
 * its order (dayRanges), each range one query of whole events: the scope and the words are the
 * PREWHERE (every other column is read only for the granules with a match), ordered by sent_at,
 * `LIMIT n WITH TIES` (every row at the last time comes back, so ordering by (sent_at, event_id)
 * here and keeping `limit` gives the page exactly; copies of an event that merges have not
 * collapsed yet (no FINAL) share both keys and are kept once, and a range that returned copies is
 * read again for more).
 *
 * Measured at 10,000,000 events (bench/chdbSearch.ts, docs/read-api.md "Search"): a user's rare
 * phrase (100 matches, one a day over 116 days) took ~500 ms as 7 doubling ranges of times and
 * then a query for the events at those times (its granules read twice); as one range of 1 day and
 * then one of the estimated rest, events read at once, ~260 ms.
 */
export const clickhouseSearchPage: SearchPage = {
  eventId: EVENT_ID_SQL,
  async read(sink, { scope, resume, keyset, match, params }, order, limit) {
    const rows = { compactRows: async (sql: string, p?: readonly unknown[]) => (await sink.query(sql, [...(p ?? [])])).map(Object.values) };
    const where = `${scope}${resume}`;
    const lo = `{p${params.length + 1}:Date}`;
    const hi = `{p${params.length + 2}:Date}`;
    let kept: StoredEvent[] = [];
    for await (const days of dayRanges(sink, where, params, order, () => kept.length, limit)) {
      for (let take = limit - kept.length; ; take *= 2) {
        const found = await readClickHouseChatEventRows(
          rows,
          `PREWHERE ${where} AND toDate(sent_at) BETWEEN ${lo} AND ${hi} AND ${match} WHERE 1${keyset}
           ORDER BY sent_at ${order} LIMIT ${take} WITH TIES`,
          [...params, ...days],
        );
        const events = [...kept, ...found.map(storedEvent)].sort(byKey(order));
        const once = events.filter((e, i) => i === 0 || !sameKey(e, events[i - 1]!));
        if (once.length >= limit) return { events: once.slice(0, limit), more: true };
        if (found.length < take) {
          kept = once;
          break;
        }
      }
    }
    return { events: kept, more: false };
  },
};

const DAY_MS = 86_400_000;
const dayText = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * The days of `where`'s rows as ranges [low, high] (dates, low first) in the page's order, each
 * following the last without a gap, from the scope's first day in that order to its last (both
 * found in one query: two read-in-order subqueries, a granule each). The first range is 1 day;
 * each next one is at least twice the last, or, once matches were found, the days that the rate
 * so far (`found()` in the days read) needs for the rest of `limit`, half again for margin. A
 * common word fills the page from the first day; a rare one takes a second range that most often
 * holds the rest (a user's rare phrase at 10,000,000 events: 2 ranges where doubling took 7);
 * a word on the far end, 1, 2, 4, … days.
 */
async function* dayRanges(
  sink: Pick<Sink, 'query'>,
  where: string,
  params: readonly unknown[],
  order: 'ASC' | 'DESC',
  found: () => number,
  limit: number,
): AsyncGenerator<[string, string]> {
  const day = (o: 'ASC' | 'DESC') =>
    `(SELECT toString(toDate(sent_at)) FROM chat_event_rows WHERE ${where} ORDER BY toDate(sent_at) ${o} LIMIT 1)`;
  const [ends] = (await sink.query(`SELECT ${day(order)} AS first, ${day(order === 'ASC' ? 'DESC' : 'ASC')} AS last`, [...params])) as {
    first: string | null;
    last: string | null;
  }[];
  // An empty scope: the subqueries give no day (NULL).
  if (ends === undefined || !ends.first || !ends.last) return;
  const first = Date.parse(`${ends.first}T00:00:00Z`);
  const last = Date.parse(`${ends.last}T00:00:00Z`);
  const step = order === 'ASC' ? DAY_MS : -DAY_MS;
  let read = 0;
  for (let from = first, span = 1; (from - last) * step <= 0;) {
    const to = from + (span - 1) * step;
    yield step > 0 ? [dayText(from), dayText(to)] : [dayText(to), dayText(from)];
    from += span * step;
    read += span;
    const n = found();
    span = Math.max(span * 2, n === 0 ? 0 : Math.ceil(((limit - n) * read * 1.5) / n));
  }
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
