import type Database from 'better-sqlite3';

/**
 * The full-text index of chat_event_rows.text (the read API's search, core/read/searchQuery.ts).
 * An external-content FTS5 table: it stores the index only (terms, positions) and reads nothing
 * back, because a search answers rowids and the rows come from chat_event_rows. Positions
 * (detail=full, the default) are what a "quoted phrase" needs. unicode61 with remove_diacritics 2
 * folds case and accents (Pokémon finds pokemon); emoji and punctuation separate words and are
 * not indexed.
 *
 * Kept in sync by triggers, so every writer (the sink's batch, the first-layout migration's copy,
 * a hand INSERT) feeds it and every deletion (opt-out, retention) takes the row's terms out of it:
 * an opted-out user's words must not stay findable, nor stay on disk. Stored events never change,
 * so no update trigger. Rows without text (bans, room states, subs without a message) are
 * left out. Measured on 100,000 chat lines and on 10,000,000 events (bench/search.ts): see
 * docs/read-api.md, "Search"; the read side of a page is core/read/sqliteSearchPage.ts.
 */
export const CHAT_EVENT_TEXT_STATEMENTS: readonly string[] = [
  `CREATE VIRTUAL TABLE chat_event_text USING fts5(
    text, content='chat_event_rows', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'
  )`,
  // The admin route's "bans and timeouts of this user" in every channel: targets are rare, so a small partial index.
  'CREATE INDEX chat_event_rows_target_sent_at ON chat_event_rows (target_user_login, sent_at) WHERE target_user_login IS NOT NULL',
  `CREATE TRIGGER chat_event_rows_text AFTER INSERT ON chat_event_rows WHEN new.text IS NOT NULL
   BEGIN INSERT INTO chat_event_text (rowid, text) VALUES (new.rowid, new.text); END`,
  `CREATE TRIGGER chat_event_rows_text_delete AFTER DELETE ON chat_event_rows WHEN old.text IS NOT NULL
   BEGIN INSERT INTO chat_event_text (chat_event_text, rowid, text) VALUES ('delete', old.rowid, old.text); END`,
];

/** Fills the index with the rows stored before it existed (in the migration's transaction). */
export function fillChatEventText(db: Database.Database): void {
  db.exec('INSERT INTO chat_event_text (rowid, text) SELECT rowid, text FROM chat_event_rows WHERE text IS NOT NULL');
}
