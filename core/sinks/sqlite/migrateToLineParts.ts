import type Database from 'better-sqlite3';
import type { ChatEvent } from '../../events/chatEvent.ts';
import { MigrationVerifyError } from '../../errors.ts';
import { CATEGORY_VIEWS } from '../categoryViews.ts';
import { CHAT_EVENT_COLUMNS } from '../columns.ts';
import { ChatRowWriter } from './chatRowWriter.ts';
import { CHAT_EVENT_LAYOUT_STATEMENTS, CHAT_EVENTS_COLUMNS_SQL, CHAT_EVENTS_FROM_SQL } from './sqliteLayout.ts';

export { MigrationVerifyError };

const BATCH = 2000;
const OLD = 'chat_events_v1';

type OldRow = Record<string, unknown> & { rowid: number };

function eventOf(row: OldRow): ChatEvent {
  const e: Record<string, unknown> = {};
  for (const c of CHAT_EVENT_COLUMNS) e[c] = row[c];
  e.is_action = row.is_action === 1;
  e.badges = JSON.parse(String(row.badges));
  e.params = JSON.parse(String(row.params));
  e.tags = JSON.parse(String(row.tags));
  return e as ChatEvent;
}

/**
 * Moves a chat_events table of the first layout (raw, tags and params stored as text beside the
 * columns) into the compact layout, in the caller's transaction: the old table is renamed, every
 * row copied under its old rowid, and then every row read back through the new chat_events view
 * and compared with the old one, every contract column (raw byte for byte, tags, params,
 * badges). Only when all rows are equal is the old table dropped; any difference throws, which
 * rolls the whole migration back and leaves the database as it was.
 */
export function migrateToLineParts(db: Database.Database): void {
  const table = db.prepare("SELECT type FROM sqlite_master WHERE name = 'chat_events'").pluck().get();
  for (const { name } of CATEGORY_VIEWS) db.exec(`DROP VIEW IF EXISTS ${name}`);
  if (table === 'table') db.exec(`ALTER TABLE chat_events RENAME TO ${OLD}`);
  else if (table === 'view') db.exec('DROP VIEW chat_events');
  for (const statement of CHAT_EVENT_LAYOUT_STATEMENTS) db.exec(statement);
  if (table !== 'table') return;

  const writer = new ChatRowWriter(db);
  const readOld = db.prepare(`SELECT rowid, * FROM ${OLD} WHERE rowid > ? ORDER BY rowid LIMIT ${BATCH}`);
  let last = 0;
  let copied = 0;
  for (;;) {
    const rows = readOld.all(last) as OldRow[];
    if (rows.length === 0) break;
    for (const row of rows) copied += writer.write(eventOf(row), row.rowid);
    last = rows[rows.length - 1]!.rowid;
  }
  const oldCount = db.prepare(`SELECT count(*) FROM ${OLD}`).pluck().get() as number;
  const newCount = db.prepare('SELECT count(*) FROM chat_event_rows').pluck().get() as number;
  if (copied !== oldCount || newCount !== oldCount) {
    throw new MigrationVerifyError(`copied ${copied} of ${oldCount} chat events (${newCount} stored); the old table is kept`);
  }

  const readNew = db.prepare(
    `SELECT r.rowid AS rowid, ${CHAT_EVENTS_COLUMNS_SQL} FROM ${CHAT_EVENTS_FROM_SQL} WHERE r.rowid > ? ORDER BY r.rowid LIMIT ${BATCH}`,
  );
  last = 0;
  for (;;) {
    const before = readOld.all(last) as OldRow[];
    if (before.length === 0) break;
    const after = readNew.all(last) as OldRow[];
    for (let i = 0; i < before.length; i++) {
      const old = before[i]!;
      const now = after[i];
      const column = now === undefined || now.rowid !== old.rowid ? 'rowid' : CHAT_EVENT_COLUMNS.find((c) => old[c] !== now[c]);
      if (column !== undefined) {
        throw new MigrationVerifyError(
          `chat event ${String(old['event_id'])} (row ${old.rowid}) reads back with a different ${column}; the old table is kept`,
        );
      }
    }
    last = before[before.length - 1]!.rowid;
  }
  db.exec(`DROP TABLE ${OLD}`);
}
