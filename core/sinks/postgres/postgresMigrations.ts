import type pg from 'pg';
import { categoryViewStatements } from '../categoryViews.ts';
import type { Migration } from '../types.ts';
import { migrateToLineParts } from './migrateToLineParts.ts';
import { CHAT_EVENT_PARTS_VIEW } from './postgresLayout.ts';
import { searchIndexRebuildStatements, searchIndexStatements } from './postgresSearchIndex.ts';

/** A Postgres migration may also run code after its statements (in the same transaction). */
export interface PostgresMigration extends Migration {
  readonly apply?: (client: pg.ClientBase) => Promise<void>;
}

/**
 * Postgres schema: native types (timestamptz, jsonb, text[]), and chat_events range-partitioned
 * by month of sent_at. Partitioning earns its keep here because chat data is append-only and
 * kept by age: dropping a month is a metadata operation instead of a DELETE plus vacuum of
 * hundreds of millions of rows, each partition's indexes stay small enough to be cached, and
 * per-channel-over-time queries prune to the months they touch. The price is that uniqueness
 * must include the partition key, so the key is (event_id, sent_at). That is as strong as
 * event_id alone, because sent_at is a function of the event (tmi-sent-ts, or the received_at
 * that the `h:` id itself hashes), so one event_id always carries one sent_at. Partitions are
 * created by the writer for each month it meets (PostgresSink.ensurePartitions), so backfills
 * of old logs work without a default partition.
 *
 * Versions 1 and 2 made that first layout and stay as they were, so that a fresh database and one
 * written by an older release take the same path; version 3 moves chat_events to the compact
 * layout (postgresLayout.ts: chat_event_rows under a chat_events view) with a verified copy
 * (migrateToLineParts.ts), all in the migration's one transaction. Version 4 adds the search
 * index; version 5 gives the reader's view (chat_event_parts) the badges as stored; version 6
 * rebuilds the search index with a small pending list (postgresSearchIndex.ts: 115 -> 20
 * B/event on the bench).
 */
export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'chat_events (monthly partitions) and stream_snapshots',
    statements: [
      `CREATE TABLE IF NOT EXISTS chat_events (
        event_id text NOT NULL,
        v smallint NOT NULL DEFAULT 1,
        kind text NOT NULL,
        subtype text,
        channel text NOT NULL,
        channel_id text,
        user_login text,
        user_id text,
        display_name text,
        target_user_login text,
        target_user_id text,
        target_message_id text,
        text text,
        is_action boolean NOT NULL DEFAULT false,
        system_text text,
        bits integer NOT NULL DEFAULT 0,
        ban_duration_s integer,
        badges text[] NOT NULL DEFAULT '{}',
        color text,
        sent_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL,
        source_channel_id text,
        source_event_id text,
        params jsonb NOT NULL DEFAULT '{}',
        tags jsonb NOT NULL DEFAULT '{}',
        raw text NOT NULL,
        PRIMARY KEY (event_id, sent_at)
      ) PARTITION BY RANGE (sent_at)`,
      'CREATE INDEX IF NOT EXISTS chat_events_channel_sent_at ON chat_events (channel, sent_at)',
      'CREATE INDEX IF NOT EXISTS chat_events_user_sent_at ON chat_events (user_login, sent_at) WHERE user_login IS NOT NULL',
      `CREATE TABLE IF NOT EXISTS stream_snapshots (
        event_id text PRIMARY KEY,
        channel text NOT NULL,
        channel_id text NOT NULL,
        stream_id text NOT NULL,
        game_id text,
        game_name text,
        title text NOT NULL,
        viewer_count integer NOT NULL,
        language text,
        started_at timestamptz NOT NULL,
        is_mature boolean NOT NULL,
        tags text[] NOT NULL DEFAULT '{}',
        captured_at timestamptz NOT NULL
      )`,
      'CREATE INDEX IF NOT EXISTS stream_snapshots_channel_captured_at ON stream_snapshots (channel, captured_at)',
    ],
  },
  {
    version: 2,
    name: 'category views',
    statements: categoryViewStatements((name, select) => `CREATE OR REPLACE VIEW ${name} AS ${select}`),
  },
  {
    version: 3,
    name: 'compact chat events: raw lines as templates, chat_events a view',
    statements: [],
    apply: (client) => migrateToLineParts(client),
  },
  {
    version: 4,
    name: 'full-text search: a GIN index of the words of text',
    // Built when migrating, not at import: spelling out Unicode's letters takes ~0.2 s.
    get statements() {
      return searchIndexStatements();
    },
  },
  {
    version: 5,
    name: 'chat_event_parts: badges as stored, for the reader',
    statements: [CHAT_EVENT_PARTS_VIEW],
  },
  {
    version: 6,
    name: 'full-text search: the GIN index rebuilt with a 64 kB pending list',
    statements: searchIndexRebuildStatements(),
  },
];
