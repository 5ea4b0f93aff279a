import type { ChatEvent } from '../core/events/chatEvent.ts';
import type { ClickHouseSink } from '../core/sinks/clickhouse/clickhouseSink.ts';
import { CLICKHOUSE_MIGRATIONS } from '../core/sinks/clickhouse/clickhouseMigrations.ts';
import { clickhouseTime } from '../core/sinks/clickhouse/clickhouseTime.ts';
import { readClickHouseChatEvents } from '../core/sinks/clickhouse/readClickHouseChatEvents.ts';
import type { ChatEventRange } from '../core/sinks/sqlite/readChatEvents.ts';
import { makeChatEvents } from '../test/helpers/chatEvents.ts';

const DAY = 86_400_000;
const MONTH = 30 * DAY;
/** The busy channel-day (issue 16: 100,000 events), inside the span of the bench's other events. */
const BUSY_DAY = Date.UTC(2024, 0, 25);
const BUSY_DAY_EVENTS = 100_000;
const FIRST_LAYOUT = 'chat_events_first_layout';

/** Best of `rounds` (after one warm-up): the shared machine only adds noise upwards. */
async function bestMs(rounds: number, run: () => Promise<unknown>): Promise<number> {
  let best = Infinity;
  for (let round = 0; round <= rounds; round++) {
    const started = performance.now();
    await run();
    if (round > 0) best = Math.min(best, performance.now() - started);
  }
  return best;
}

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
  // The factory puts a few notices in channel `*`: drawn for one channel, kept only for it.
  const busyDay = makeChatEvents(BUSY_DAY_EVENTS + 2000, {
    seed: 1616,
    channels: 1,
    startMs: BUSY_DAY,
    spanMs: DAY - 1000,
    hostileShare: 0.01,
  })
    .filter((e) => e.channel === 'channel_0')
    .slice(0, BUSY_DAY_EVENTS);
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

  const counts = new Map<string, number>();
  for (const e of all) if (e.user_login !== null) counts.set(e.user_login, (counts.get(e.user_login) ?? 0) + 1);
  const user = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
  const userStart = Math.min(...all.filter((e) => e.user_login === user).map((e) => e.sent_at));
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
