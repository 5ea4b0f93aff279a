import type { ChatEvent } from '../core/events/chatEvent.ts';
import type { ClickHouseSink } from '../core/sinks/clickhouse/clickhouseSink.ts';
import { CLICKHOUSE_MIGRATIONS } from '../core/sinks/clickhouse/clickhouseMigrations.ts';
import { clickhouseTime } from '../core/sinks/clickhouse/clickhouseTime.ts';
import { readClickHouseChatEvents } from '../core/sinks/clickhouse/readClickHouseChatEvents.ts';
import type { ChatEventRange } from '../core/sinks/sqlite/readChatEvents.ts';
import { bestMs, BUSY_DAY, busiestUserMonth, busyChannelDay, DAY, MONTH } from './readBench.ts';

const FIRST_LAYOUT = 'chat_events_first_layout';

/**
 * The two common reads of issue 16, every field of every event (raw and tags included), as
 * rows through the sink (JSON parsed into objects, what a reader gets): a channel-day of
 * 100,000 events (drawn for one channel and one day on top of the bench's events) and the
 * busiest user's month.
 *
 * - query.clickhouse.*_ms: readClickHouseChatEvents, the path code reads with (stored columns,
 *   raw, tags and params rebuilt in TypeScript), giving ChatEvents;
 * - query.clickhouse.*_view_ms: `SELECT * FROM chat_events` (the compact layout's view, FINAL
 *   inside, raw, tags and params rebuilt in SQL: plain SQL's path);
 * - query.clickhouse.*_ms_first_layout: the same SELECT on the first layout's table (migration
 *   1's statement, loaded with the same events in the same session), with FINAL as every reader
 *   of it must (dashboards, reports, category views).
 *
 * Runs in the sink's session after the storage figures (chdb allows one session per process).
 */
export async function clickhouseReadFigures(
  sink: ClickHouseSink,
  events: readonly ChatEvent[],
  rounds: number,
): Promise<Record<string, number>> {
  const busyDay = busyChannelDay();
  for (let i = 0; i < busyDay.length; i += 5000) await sink.write(busyDay.slice(i, i + 5000));
  const all = [...events, ...busyDay];

  const firstLayoutTable = CLICKHOUSE_MIGRATIONS[0]!.statements[0]!.replace(
    'CREATE TABLE IF NOT EXISTS chat_events (',
    `CREATE TABLE ${FIRST_LAYOUT} (`,
  );
  await sink.query(firstLayoutTable);
  for (let i = 0; i < all.length; i += 20_000) {
    const rows = all
      .slice(i, i + 20_000)
      .map((e) => JSON.stringify({ ...e, sent_at: clickhouseTime(e.sent_at), received_at: clickhouseTime(e.received_at) }));
    await sink.query(
      `INSERT INTO ${FIRST_LAYOUT} SETTINGS insert_deduplication_token = 'first-${i}' FORMAT JSONEachRow ${rows.join('\n')}`,
    );
  }
  await sink.query('OPTIMIZE TABLE chat_event_rows FINAL');
  await sink.query(`OPTIMIZE TABLE ${FIRST_LAYOUT} FINAL`);

  const { user, from: userStart } = busiestUserMonth(all);
  const time = (ms: number) => `toDateTime64('${clickhouseTime(ms)}', 3, 'UTC')`;
  const byChannel = (from: string) =>
    `SELECT * FROM ${from} WHERE channel = 'channel_0' AND sent_at >= ${time(BUSY_DAY)} AND sent_at < ${time(BUSY_DAY + DAY)} ORDER BY sent_at`;
  const byUser = (from: string) =>
    `SELECT * FROM ${from} WHERE user_login = '${user}' AND sent_at >= ${time(userStart)} AND sent_at < ${time(userStart + MONTH)} ORDER BY sent_at`;

  const rows = async (sql: string) => (await sink.query(sql)).length;
  const channelRows = await rows(byChannel('chat_events'));
  const userRows = await rows(byUser('chat_events'));
  const firstChannelRows = await rows(byChannel(`${FIRST_LAYOUT} FINAL`));
  const firstUserRows = await rows(byUser(`${FIRST_LAYOUT} FINAL`));
  if (channelRows !== firstChannelRows || userRows !== firstUserRows) {
    throw new Error(`the layouts read different row counts: ${channelRows}/${userRows}, first ${firstChannelRows}/${firstUserRows}`);
  }
  const channelDay: ChatEventRange = { channel: 'channel_0', from: BUSY_DAY, to: BUSY_DAY + DAY };
  const userMonth: ChatEventRange = { userLogin: user, from: userStart, to: userStart + MONTH };
  const fastRows = (await readClickHouseChatEvents(sink, channelDay)).length;
  const fastUserRows = (await readClickHouseChatEvents(sink, userMonth)).length;
  if (fastRows !== channelRows || fastUserRows !== userRows) {
    throw new Error(`the read path and the view read different row counts: ${fastRows}/${fastUserRows}, view ${channelRows}/${userRows}`);
  }
  return {
    'query.clickhouse.channel_day_ms': await bestMs(rounds, () => readClickHouseChatEvents(sink, channelDay)),
    'query.clickhouse.channel_day_view_ms': await bestMs(rounds, () => rows(byChannel('chat_events'))),
    'query.clickhouse.channel_day_ms_first_layout': await bestMs(rounds, () => rows(byChannel(`${FIRST_LAYOUT} FINAL`))),
    'query.clickhouse.channel_day_rows': channelRows,
    'query.clickhouse.user_month_ms': await bestMs(rounds, () => readClickHouseChatEvents(sink, userMonth)),
    'query.clickhouse.user_month_view_ms': await bestMs(rounds, () => rows(byUser('chat_events'))),
    'query.clickhouse.user_month_ms_first_layout': await bestMs(rounds, () => rows(byUser(`${FIRST_LAYOUT} FINAL`))),
    'query.clickhouse.user_month_rows': userRows,
  };
}
