import Database from 'better-sqlite3';
import { rebuildLine, tagsJsonOfLine } from '../../events/rebuildLine.ts';
import { decodeBadges, RAW_ARGUMENT_COLUMNS, slotValue } from './sqliteChatRow.ts';

/**
 * The functions the `chat_events` view calls (sqliteLayout.ts). SQLite resolves a view's
 * functions when a statement reading it is prepared, so every connection that reads chat_events
 * or a category view registers them first: the sink does, and anything else opens the file
 * with openSqliteDatabase (openSqliteDatabase.ts). (The sqlite3 shell cannot read chat_events; chat_event_rows it can.)
 *
 * A row's line is used three times in the view (raw, tags, params): the functions remember the
 * last line rebuilt and its tags, so a `SELECT *` rebuilds and parses each line once.
 */
export function registerSqliteFunctions(db: Database.Database): Database.Database {
  const deterministic = { deterministic: true } as const;
  // The last line rebuilt, and whose: event_id is unique and a stored event never changes, so
  // the line of an event_id seen last is that row's line (what the view's CASE relies on).
  let lastEventId: unknown = undefined;
  let lastRaw = '';
  let lastJsonRaw: string | null = null;
  let lastJson = { tags: '{}', params: '{}' };
  const jsonOf = (raw: unknown) => {
    const line = String(raw);
    if (line !== lastJsonRaw) {
      lastJson = tagsJsonOfLine(line);
      lastJsonRaw = line;
    }
    return lastJson;
  };
  db.function('poglytics_raw', { ...deterministic, varargs: true }, (...args: unknown[]) => {
    const [template, extras, residual, ...stored] = args;
    lastEventId = undefined;
    lastRaw = rebuildLine(template as string | null, extras as string | null, residual as string | null, (i) =>
      slotValue(RAW_ARGUMENT_COLUMNS[i]!, stored[i]),
    );
    lastEventId = stored[0];
    return lastRaw;
  });
  // Not deterministic: their answers depend on the last poglytics_raw call.
  db.function('poglytics_is_last', (eventId: unknown) => (lastEventId !== undefined && sameValue(eventId, lastEventId) ? 1 : 0));
  db.function('poglytics_last_raw', () => lastRaw);
  db.function('poglytics_tags', deterministic, (raw: unknown) => jsonOf(raw).tags);
  db.function('poglytics_params', deterministic, (raw: unknown) => jsonOf(raw).params);
  db.function('poglytics_badges', deterministic, (badges: unknown) =>
    JSON.stringify(decodeBadges(typeof badges === 'string' ? badges : null)),
  );
  return db;
}

/** SQLite values as better-sqlite3 hands them over: a BLOB is a fresh Buffer on every call. */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  return Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b);
}
