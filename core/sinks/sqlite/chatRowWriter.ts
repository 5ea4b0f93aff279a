import type Database from 'better-sqlite3';
import type { ChatEvent } from '../../events/chatEvent.ts';
import { encodeEventId, sqliteChatRow } from './sqliteChatRow.ts';
import { CHAT_EVENT_ROW_COLUMNS } from './sqliteLayout.ts';
import { TemplateDictionary } from './templateDictionary.ts';
import type { ContentLookup, StoredUntimedRow } from '../untimedCopies.ts';

const columns = CHAT_EVENT_ROW_COLUMNS.join(', ');
const values = CHAT_EVENT_ROW_COLUMNS.map((c) => '@' + c).join(', ');

/** Stores chat events in chat_event_rows, deduplicated on event_id. Use inside a transaction. */
export class ChatRowWriter {
  private readonly templates: TemplateDictionary;
  private readonly insert: Database.Statement;
  private readonly insertAt: Database.Statement;
  private readonly storedId: Database.Statement;
  private readonly untimedRows: Database.Statement;

  constructor(db: Database.Database) {
    this.templates = new TemplateDictionary(db);
    this.insert = db.prepare(`INSERT OR IGNORE INTO chat_event_rows (${columns}) VALUES (${values})`);
    this.insertAt = db.prepare(`INSERT OR IGNORE INTO chat_event_rows (rowid, ${columns}) VALUES (@rowid, ${values})`);
    this.storedId = db.prepare('SELECT 1 FROM chat_event_rows WHERE event_id = ?').pluck();
    this.untimedRows = db.prepare(
      `SELECT event_id AS eventId, raw, sent_at AS receivedAt FROM chat_events
       WHERE channel IN (SELECT value FROM json_each(?)) AND kind IN (SELECT value FROM json_each(?)) AND sent_at BETWEEN ? AND ?`,
    );
  }

  /** True when an event with one of these ids is stored (an untimed event's copy under another id: untimedCopies.ts). */
  anyStored(ids: readonly string[]): boolean {
    for (const id of ids) if (this.storedId.get(encodeEventId(id)) !== undefined) return true;
    return false;
  }

  /** The stored rows a copy by content may be among (untimedCopies.ts contentLookup). */
  storedUntimedRows(lookup: ContentLookup): StoredUntimedRow[] {
    return this.untimedRows.all(JSON.stringify(lookup.channels), JSON.stringify(lookup.kinds), lookup.lo, lookup.hi) as StoredUntimedRow[];
  }

  /** 1 when stored, 0 when its event_id was already there. `rowid` keeps a copied row's position. */
  write(event: ChatEvent, rowid?: number): number {
    const { row, template } = sqliteChatRow(event);
    const stored = { ...row, template_id: template === null ? null : this.templates.idOf(template) };
    return (rowid === undefined ? this.insert.run(stored) : this.insertAt.run({ ...stored, rowid })).changes;
  }

  /** After a rolled-back transaction: template ids handed out in it may be gone. */
  rolledBack(): void {
    this.templates.forget();
  }
}
