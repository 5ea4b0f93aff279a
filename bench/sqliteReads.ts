import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { ChatEvent } from '../core/events/chatEvent.ts';
import { createSink } from '../core/sinks/createSink.ts';
import { readChatEvents, type ChatEventRange } from '../core/sinks/sqlite/readChatEvents.ts';
import { openSqliteDatabase } from '../core/sinks/sqlite/openSqliteDatabase.ts';
import { makeChatEvents } from '../test/helpers/chatEvents.ts';
import { writeFirstLayoutDatabase } from '../test/helpers/firstLayoutSqlite.ts';

const DAY = 86_400_000;
const MONTH = 30 * DAY;
/** The busy channel-day (issue 16: 100,000 events), inside the span of the bench's other events. */
const BUSY_DAY = Date.UTC(2024, 0, 25);
const BUSY_DAY_EVENTS = 100_000;

/** Best of `rounds` (after one warm-up): the shared machine only adds noise upwards. */
function bestMs(rounds: number, run: () => void): number {
  let best = Infinity;
  for (let round = 0; round <= rounds; round++) {
    const started = performance.now();
    run();
    if (round > 0) best = Math.min(best, performance.now() - started);
  }
  return best;
}

/**
 * The two common reads of issue 16, every field of every event (raw and tags included): a
 * channel-day of more than 100,000 events (generated for one channel and one day on top of the
 * bench's events) and the busiest user's month, on the compact layout and on the first layout
 * (raw, tags and params stored as text) loaded with the same events in the same run.
 *
 * - query.sqlite.*_ms: the compact layout through readChatEvents, the path code reads with,
 *   giving ChatEvents (tags and params as objects);
 * - query.sqlite.*_view_ms: the compact layout through `SELECT * FROM chat_events` (plain SQL);
 * - query.sqlite.*_ms_first_layout: `SELECT * FROM chat_events` on the first layout, rows as
 *   stored (tags, params and badges left as JSON text, so less work than a ChatEvent).
 */
export async function sqliteReadFigures(dir: string, events: readonly ChatEvent[], rounds: number): Promise<Record<string, number>> {
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
  const all = [...events, ...busyDay];
  const channel = 'channel_0';
  const compactPath = join(dir, 'reads-compact.db');
  const sink = createSink({ sink: 'sqlite', path: compactPath });
  await sink.migrate();
  for (let i = 0; i < all.length; i += 5000) await sink.write(all.slice(i, i + 5000));
  await sink.close();
  const firstPath = join(dir, 'reads-first-layout.db');
  await writeFirstLayoutDatabase(firstPath, all);

  const counts = new Map<string, number>();
  for (const e of all) if (e.user_login !== null) counts.set(e.user_login, (counts.get(e.user_login) ?? 0) + 1);
  const user = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
  const userStart = Math.min(...all.filter((e) => e.user_login === user).map((e) => e.sent_at));
  const channelDay: ChatEventRange = { channel, from: BUSY_DAY, to: BUSY_DAY + DAY };
  const userMonth: ChatEventRange = { userLogin: user, from: userStart, to: userStart + MONTH };

  const viewReads = (db: Database.Database, rounds: number) => {
    const byChannel = db.prepare('SELECT * FROM chat_events WHERE channel = ? AND sent_at >= ? AND sent_at < ? ORDER BY sent_at');
    const byUser = db.prepare('SELECT * FROM chat_events WHERE user_login = ? AND sent_at >= ? AND sent_at < ? ORDER BY sent_at');
    return {
      channelDay: bestMs(rounds, () => byChannel.all(channel, channelDay.from, channelDay.to)),
      userMonth: bestMs(rounds, () => byUser.all(user, userMonth.from, userMonth.to)),
      channelRows: byChannel.all(channel, channelDay.from, channelDay.to).length,
      userRows: byUser.all(user, userMonth.from, userMonth.to).length,
    };
  };
  const compact = openSqliteDatabase(compactPath, { readonly: true });
  const first = openSqliteDatabase(firstPath, { readonly: true });
  try {
    const fast = {
      channelDay: bestMs(rounds, () => readChatEvents(compact, channelDay)),
      userMonth: bestMs(rounds, () => readChatEvents(compact, userMonth)),
    };
    const before = viewReads(first, rounds);
    // The view is several times slower: fewer rounds keep the bench short.
    const view = viewReads(compact, Math.min(rounds, 2));
    const rows = readChatEvents(compact, channelDay).length;
    const userRows = readChatEvents(compact, userMonth).length;
    if (rows !== before.channelRows || userRows !== before.userRows || rows !== view.channelRows) {
      throw new Error(`the layouts read different row counts: ${rows}/${userRows}, first ${before.channelRows}/${before.userRows}`);
    }
    return {
      'query.sqlite.channel_day_ms': fast.channelDay,
      'query.sqlite.channel_day_view_ms': view.channelDay,
      'query.sqlite.channel_day_ms_first_layout': before.channelDay,
      'query.sqlite.channel_day_rows': rows,
      'query.sqlite.user_month_ms': fast.userMonth,
      'query.sqlite.user_month_view_ms': view.userMonth,
      'query.sqlite.user_month_ms_first_layout': before.userMonth,
      'query.sqlite.user_month_rows': userRows,
    };
  } finally {
    compact.close();
    first.close();
  }
}
