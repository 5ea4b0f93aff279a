import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { ChatEvent } from '../core/events/chatEvent.ts';
import { openSqliteDatabase } from '../core/sinks/sqlite/sqliteFunctions.ts';
import { writeFirstLayoutDatabase } from '../test/helpers/firstLayoutSqlite.ts';

const DAY = 86_400_000;
const MONTH = 30 * DAY;

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
 * The two common reads, every column of chat_events (raw and tags included), on the compact
 * layout at `path` and on the first layout (raw, tags and params stored as text) loaded with the
 * same events: a channel's busiest day, and the busiest user's month. query.sqlite.*_ms is the
 * compact layout, query.sqlite.*_ms_first_layout the one before it.
 */
export async function sqliteReadFigures(dir: string, path: string, events: readonly ChatEvent[]): Promise<Record<string, number>> {
  const firstPath = join(dir, 'first-layout.db');
  await writeFirstLayoutDatabase(firstPath, events);
  const busiest = <K>(key: (e: ChatEvent) => K | null): K => {
    const counts = new Map<K, number>();
    for (const e of events) {
      const k = key(e);
      if (k !== null) counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    return [...counts].sort((a, b) => b[1] - a[1])[0]![0];
  };
  const [channel, day] = busiest((e) => `${e.channel} ${Math.floor(e.sent_at / DAY)}`).split(' ') as [string, string];
  const user = busiest((e) => e.user_login);
  const userStart = Math.min(...events.filter((e) => e.user_login === user).map((e) => e.sent_at));
  const reads = (db: Database.Database) => {
    const channelDay = db.prepare('SELECT * FROM chat_events WHERE channel = ? AND sent_at >= ? AND sent_at < ? ORDER BY sent_at');
    const userMonth = db.prepare('SELECT * FROM chat_events WHERE user_login = ? AND sent_at >= ? AND sent_at < ? ORDER BY sent_at');
    const start = Number(day) * DAY;
    return {
      channelDay: bestMs(5, () => channelDay.all(channel, start, start + DAY)),
      userMonth: bestMs(5, () => userMonth.all(user, userStart, userStart + MONTH)),
      rows: channelDay.all(channel, start, start + DAY).length,
      userRows: userMonth.all(user, userStart, userStart + MONTH).length,
    };
  };
  const compact = openSqliteDatabase(path, { readonly: true });
  const first = openSqliteDatabase(firstPath, { readonly: true });
  try {
    const now = reads(compact);
    const before = reads(first);
    return {
      'query.sqlite.channel_day_ms': now.channelDay,
      'query.sqlite.channel_day_ms_first_layout': before.channelDay,
      'query.sqlite.channel_day_rows': now.rows,
      'query.sqlite.user_month_ms': now.userMonth,
      'query.sqlite.user_month_rows': now.userRows,
      'query.sqlite.user_month_ms_first_layout': before.userMonth,
    };
  } finally {
    compact.close();
    first.close();
  }
}
