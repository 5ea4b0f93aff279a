import Database from 'better-sqlite3';
import { paramsOfTags, rebuildLine, tagsOfLine } from '../../events/rebuildLine.ts';
import { decodeBadges, RAW_ARGUMENT_COLUMNS, slotValue } from './sqliteChatRow.ts';

/**
 * The functions the `chat_events` view calls (sqliteLayout.ts). SQLite resolves a view's
 * functions when a statement reading it is prepared, so every connection that reads chat_events
 * or a category view registers them first: the sink does, and anything else opens the file
 * with openSqliteDatabase. (The sqlite3 shell cannot read chat_events; chat_event_rows it can.)
 */
export function registerSqliteFunctions(db: Database.Database): Database.Database {
  const deterministic = { deterministic: true } as const;
  db.function('poglytics_raw', { ...deterministic, varargs: true }, (template: unknown, extras: unknown, residual: unknown, ...stored: unknown[]) =>
    rebuildLine(
      template as string | null,
      extras as string | null,
      residual as string | null,
      RAW_ARGUMENT_COLUMNS.map((column, i) => slotValue(column, stored[i])),
    ),
  );
  db.function('poglytics_tags', deterministic, (raw: unknown) => JSON.stringify(tagsOfLine(String(raw)) ?? {}));
  db.function('poglytics_params', deterministic, (raw: unknown) => JSON.stringify(paramsOfTags(tagsOfLine(String(raw)) ?? {})));
  db.function('poglytics_badges', deterministic, (badges: unknown) => JSON.stringify(decodeBadges(badges)));
  return db;
}

/** A better-sqlite3 connection that can read chat_events (readers: tests, bench, tools). */
export function openSqliteDatabase(path: string, options?: Database.Options): Database.Database {
  return registerSqliteFunctions(new Database(path, options));
}
