import type Database from 'better-sqlite3';
import { categoryViewStatements } from '../categoryViews.ts';
import type { Migration } from '../types.ts';
import { CHAT_EVENT_TEXT_STATEMENTS, fillChatEventText } from './chatEventText.ts';
import { migrateToLineParts } from './migrateToLineParts.ts';

/** A SQLite migration may also run code after its statements (in the same transaction). */
export interface SqliteMigration extends Migration {
  readonly apply?: (db: Database.Database) => void;
}

/**
 * SQLite schema. Versions 1 and 2 made the first layout and stay as they were, so that a fresh
 * database and one written by an older release take the same path; version 3 moves chat_events
 * to the compact layout (sqliteLayout.ts, migrateToLineParts.ts); version 4 adds the full-text
 * index the read API searches (chatEventText.ts). First layout: timestamps are INTEGER ms since the epoch (what the contract carries, and what
 * SQLite compares fastest); params, tags and badges are JSON text (query them with json_extract /
 * json_each). A rowid table with a UNIQUE index on event_id: rows are large (raw line, tags), so
 * WITHOUT ROWID keyed on a random id would scatter them.
 */
export const SQLITE_MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    name: 'chat_events and stream_snapshots',
    statements: [
      `CREATE TABLE IF NOT EXISTS chat_events (
        event_id TEXT NOT NULL,
        v INTEGER NOT NULL DEFAULT 1,
        kind TEXT NOT NULL,
        subtype TEXT,
        channel TEXT NOT NULL,
        channel_id TEXT,
        user_login TEXT,
        user_id TEXT,
        display_name TEXT,
        target_user_login TEXT,
        target_user_id TEXT,
        target_message_id TEXT,
        text TEXT,
        is_action INTEGER NOT NULL DEFAULT 0,
        system_text TEXT,
        bits INTEGER NOT NULL DEFAULT 0,
        ban_duration_s INTEGER,
        badges TEXT NOT NULL DEFAULT '[]',
        color TEXT,
        sent_at INTEGER NOT NULL,
        received_at INTEGER NOT NULL,
        source_channel_id TEXT,
        source_event_id TEXT,
        params TEXT NOT NULL DEFAULT '{}',
        tags TEXT NOT NULL DEFAULT '{}',
        raw TEXT NOT NULL
      )`,
      'CREATE UNIQUE INDEX IF NOT EXISTS chat_events_event_id ON chat_events (event_id)',
      'CREATE INDEX IF NOT EXISTS chat_events_channel_sent_at ON chat_events (channel, sent_at)',
      'CREATE INDEX IF NOT EXISTS chat_events_user_sent_at ON chat_events (user_login, sent_at) WHERE user_login IS NOT NULL',
      `CREATE TABLE IF NOT EXISTS stream_snapshots (
        event_id TEXT NOT NULL PRIMARY KEY,
        channel TEXT NOT NULL,
        channel_id TEXT NOT NULL,
        stream_id TEXT NOT NULL,
        game_id TEXT,
        game_name TEXT,
        title TEXT NOT NULL,
        viewer_count INTEGER NOT NULL,
        language TEXT,
        started_at INTEGER NOT NULL,
        is_mature INTEGER NOT NULL,
        tags TEXT NOT NULL DEFAULT '[]',
        captured_at INTEGER NOT NULL
      )`,
      'CREATE INDEX IF NOT EXISTS stream_snapshots_channel_captured_at ON stream_snapshots (channel, captured_at)',
    ],
  },
  {
    version: 2,
    name: 'category views',
    statements: categoryViewStatements((name, select) => `CREATE VIEW IF NOT EXISTS ${name} AS ${select}`),
  },
  {
    version: 3,
    name: 'compact chat events: raw lines as templates, chat_events a view',
    statements: [],
    apply: migrateToLineParts,
  },
  {
    version: 4,
    name: 'full-text index of chat event text (FTS5), ban targets index',
    statements: CHAT_EVENT_TEXT_STATEMENTS,
    apply: fillChatEventText,
  },
];
