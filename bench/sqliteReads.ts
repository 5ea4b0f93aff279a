import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { ChatEvent } from '../core/events/chatEvent.ts';
import { createSink } from '../core/sinks/createSink.ts';
import { readChatEvents, type ChatEventRange } from '../core/sinks/sqlite/readChatEvents.ts';
import { openSqliteDatabase } from '../core/sinks/sqlite/openSqliteDatabase.ts';
import { writeFirstLayoutDatabase } from '../test/helpers/firstLayoutSqlite.ts';
import { bestMs, BUSY_DAY, busiestUserMonth, busyChannelDay, DAY, MONTH } from './readBench.ts';

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
  const busyDay = busyChannelDay();
  const all = [...events, ...busyDay];
  const channel = 'channel_0';
  const compactPath = join(dir, 'reads-compact.db');
  const sink = createSink({ sink: 'sqlite', path: compactPath });
  await sink.migrate();
  for (let i = 0; i < all.length; i += 5000) await sink.write(all.slice(i, i + 5000));
  await sink.close();
  const firstPath = join(dir, 'reads-first-layout.db');
  await writeFirstLayoutDatabase(firstPath, all);

  const { user, from: userStart } = busiestUserMonth(all);
  const channelDay: ChatEventRange = { channel, from: BUSY_DAY, to: BUSY_DAY + DAY };
  const userMonth: ChatEventRange = { userLogin: user, from: userStart, to: userStart + MONTH };

  const viewReads = async (db: Database.Database, rounds: number) => {
    const byChannel = db.prepare('SELECT * FROM chat_events WHERE channel = ? AND sent_at >= ? AND sent_at < ? ORDER BY sent_at');
    const byUser = db.prepare('SELECT * FROM chat_events WHERE user_login = ? AND sent_at >= ? AND sent_at < ? ORDER BY sent_at');
    return {
      channelDay: await bestMs(rounds, () => byChannel.all(channel, channelDay.from, channelDay.to)),
      userMonth: await bestMs(rounds, () => byUser.all(user, userMonth.from, userMonth.to)),
      channelRows: byChannel.all(channel, channelDay.from, channelDay.to).length,
      userRows: byUser.all(user, userMonth.from, userMonth.to).length,
    };
  };
  const compact = openSqliteDatabase(compactPath, { readonly: true });
  const first = openSqliteDatabase(firstPath, { readonly: true });
  try {
    const fast = {
      channelDay: await bestMs(rounds, () => readChatEvents(compact, channelDay)),
      userMonth: await bestMs(rounds, () => readChatEvents(compact, userMonth)),
    };
    const before = await viewReads(first, rounds);
    // The view is several times slower: fewer rounds keep the bench short.
    const view = await viewReads(compact, Math.min(rounds, 2));
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
