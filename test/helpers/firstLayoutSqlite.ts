import Database from 'better-sqlite3';
import type { ChatEvent } from '../../core/events/chatEvent.ts';
import { CHAT_EVENT_COLUMNS } from '../../core/sinks/columns.ts';
import { SqliteSink } from '../../core/sinks/sqlite/sqliteSink.ts';
import { SQLITE_MIGRATIONS } from '../../core/sinks/sqlite/sqliteMigrations.ts';

/**
 * A database as the release before the compact layout wrote it: its migrations (versions 1 and
 * 2, still the first entries of SQLITE_MIGRATIONS) and its chat row (every field, badges,
 * params and tags as JSON text, raw verbatim), copied from that release's sqliteSink.ts.
 */
export async function writeFirstLayoutDatabase(path: string, events: readonly ChatEvent[]): Promise<void> {
  const sink = new SqliteSink(
    { sink: 'sqlite', path },
    SQLITE_MIGRATIONS.filter((m) => m.version <= 2),
  );
  await sink.migrate();
  await sink.close();
  const db = new Database(path);
  try {
    const insert = db.prepare(
      `INSERT OR IGNORE INTO chat_events (${CHAT_EVENT_COLUMNS.join(', ')}) VALUES (${CHAT_EVENT_COLUMNS.map((c) => '@' + c).join(', ')})`,
    );
    db.transaction(() => {
      for (const e of events) {
        insert.run({
          ...e,
          is_action: e.is_action ? 1 : 0,
          badges: JSON.stringify(e.badges),
          params: JSON.stringify(e.params),
          tags: JSON.stringify(e.tags),
        });
      }
    })();
  } finally {
    db.close();
  }
}
