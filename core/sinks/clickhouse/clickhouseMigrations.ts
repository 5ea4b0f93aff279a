import { categoryViewStatements } from '../categoryViews.ts';
import type { Migration } from '../types.ts';
import { SEARCH_TOKENS_STATEMENTS, SEARCH_INDEX_STATEMENTS, SEARCH_PROJECTION_STATEMENTS } from './clickhouseSearchIndex.ts';
import { migrateToLineParts, type ClickHouseMigrationContext } from './migrateToLineParts.ts';
import { rekeyChatEventRows } from './rekeyChatEventRows.ts';

/** A ClickHouse migration may also run code after its statements. */
export interface ClickHouseMigration extends Migration {
  readonly apply?: (context: ClickHouseMigrationContext) => Promise<void>;
}

/**
 * ClickHouse schema. Versions 1 and 2 made the first layout and stay as they were, so that a fresh
 * database and one written by an older release take the same path; version 3 moves chat_events
 * to the compact layout (clickhouseLayout.ts: 165 → 52 bytes per event on the bench) with a
 * verified copy (migrateToLineParts.ts). What follows describes the first layout.
 *
 * chat_events is a ReplacingMergeTree partitioned by month and ordered by
 * (channel, sent_at, event_id):
 * - Per-channel-over-time queries read one contiguous key range; per-user queries use the
 *   bloom-filter skip indexes on user_login / user_id (a projection would double the storage).
 * - Deduplication has two layers. (1) The sorting key ends in event_id and the other key columns
 *   are functions of the event (sent_at is tmi-sent-ts or the received_at that an `h:` id
 *   hashes), so copies of one event always share a sorting key and partition, and merges
 *   collapse them: this catches every duplicate eventually, whatever path it came by
 *   (overlapping connections, replayed Kinesis records, re-imports). (2) Every insert carries
 *   insert_deduplication_token = hash of its event ids (ClickHouseSink), so a retried insert
 *   of the same rows (client timeout after the server committed, Lambda retry) is dropped at
 *   insert time and never even creates a duplicate part; non_replicated_deduplication_window
 *   enables that on a single server (replicated tables have it by default). Because merges are
 *   eventual, readers that count must use FINAL (the category views do) or argMax-style
 *   aggregation; the writer additionally skips ids already stored (see ClickHouseSink.write).
 * - LowCardinality for columns with few distinct values per part (kind, subtype, channel,
 *   color, badge names, param/tag keys); T64 for small integers; ZSTD for text.
 * - Timestamps: Delta then T64 then ZSTD(3). Inside (channel, sent_at) the deltas are small but
 *   irregular (chat is bursty), so DoubleDelta's second difference buys nothing and T64's
 *   bit-transpose of the deltas compresses better (sent_at 4.4 → 3.6 B/event in bench/sinks.ts).
 * - tags ZSTD(12) and raw ZSTD(16): together ~2/3 of the bytes, written once, rarely read
 *   (kept for reprocessing). Level 16 is where ZSTD switches to optimal parsing (btopt) for blocks of this size:
 *   raw shrinks ~6% over level 15; levels above 16 cost far more insert CPU for <1% more.
 * - The event_id bloom filter is 0.01, not 0.001: the writer's existence lookup sends thousands
 *   of ids at once, so it is pruned by the sent_at range, not by the filter; the filter serves
 *   single-event lookups, where 1% false positives is cheap, and costs ~40% fewer bytes.
 * - Changed in place in migration 1 (codecs, bloom filter rate) because no ClickHouse schema
 *   was deployed yet; from the first deployment on, changes go in new migrations
 *   (ALTER TABLE … MODIFY COLUMN … CODEC applies to new parts and merges).
 * - params and tags are Map(LowCardinality(String), String) rather than JSON strings: keys are a
 *   small repeated vocabulary (dictionary-encoded once per part) and `tags['room-id']` reads
 *   only the keys and values columns instead of parsing JSON per row. Values stay strings as
 *   the contract has them.
 */
export const CLICKHOUSE_MIGRATIONS: readonly ClickHouseMigration[] = [
  {
    version: 1,
    name: 'chat_events and stream_snapshots',
    statements: [
      `CREATE TABLE IF NOT EXISTS chat_events (
        event_id String CODEC(ZSTD(1)),
        v UInt8 DEFAULT 1 CODEC(ZSTD(1)),
        kind LowCardinality(String),
        subtype LowCardinality(Nullable(String)),
        channel LowCardinality(String),
        channel_id LowCardinality(Nullable(String)),
        user_login Nullable(String) CODEC(ZSTD(1)),
        user_id Nullable(String) CODEC(ZSTD(1)),
        display_name Nullable(String) CODEC(ZSTD(1)),
        target_user_login Nullable(String) CODEC(ZSTD(1)),
        target_user_id Nullable(String) CODEC(ZSTD(1)),
        target_message_id Nullable(String) CODEC(ZSTD(1)),
        text Nullable(String) CODEC(ZSTD(3)),
        is_action Bool CODEC(ZSTD(1)),
        system_text Nullable(String) CODEC(ZSTD(3)),
        bits UInt32 CODEC(T64, ZSTD(1)),
        ban_duration_s Nullable(UInt32) CODEC(T64, ZSTD(1)),
        badges Array(LowCardinality(String)),
        color LowCardinality(Nullable(String)),
        sent_at DateTime64(3, 'UTC') CODEC(Delta, T64, ZSTD(3)),
        received_at DateTime64(3, 'UTC') CODEC(Delta, T64, ZSTD(3)),
        source_channel_id LowCardinality(Nullable(String)),
        source_event_id Nullable(String) CODEC(ZSTD(1)),
        params Map(LowCardinality(String), String) CODEC(ZSTD(1)),
        tags Map(LowCardinality(String), String) CODEC(ZSTD(12)),
        raw String CODEC(ZSTD(16)),
        INDEX user_login_bf user_login TYPE bloom_filter(0.01) GRANULARITY 4,
        INDEX user_id_bf user_id TYPE bloom_filter(0.01) GRANULARITY 4,
        INDEX event_id_bf event_id TYPE bloom_filter(0.01) GRANULARITY 4
      )
      ENGINE = ReplacingMergeTree
      PARTITION BY toYYYYMM(sent_at)
      ORDER BY (channel, sent_at, event_id)
      SETTINGS non_replicated_deduplication_window = 10000`,
      `CREATE TABLE IF NOT EXISTS stream_snapshots (
        event_id String CODEC(ZSTD(1)),
        channel LowCardinality(String),
        channel_id LowCardinality(String),
        stream_id String CODEC(ZSTD(1)),
        game_id LowCardinality(Nullable(String)),
        game_name LowCardinality(Nullable(String)),
        title String CODEC(ZSTD(3)),
        viewer_count UInt32 CODEC(T64, ZSTD(1)),
        language LowCardinality(Nullable(String)),
        started_at DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
        is_mature Bool,
        tags Array(LowCardinality(String)),
        captured_at DateTime64(3, 'UTC') CODEC(DoubleDelta, ZSTD(1))
      )
      ENGINE = ReplacingMergeTree
      PARTITION BY toYYYYMM(captured_at)
      ORDER BY (channel, captured_at, event_id)
      SETTINGS non_replicated_deduplication_window = 10000`,
    ],
  },
  {
    version: 2,
    name: 'category views (deduplicated with FINAL)',
    statements: categoryViewStatements((name, select) => `CREATE OR REPLACE VIEW ${name} AS ${select}`, 'chat_events FINAL'),
  },
  {
    version: 3,
    name: 'compact chat events: raw lines as templates, chat_events a view',
    statements: [],
    apply: migrateToLineParts,
  },
  {
    version: 4,
    name: 'full-text search: a token bloom filter of the words of text',
    statements: SEARCH_INDEX_STATEMENTS,
  },
  {
    version: 5,
    name: "full-text search by user: a projection of the words in each user's order",
    statements: SEARCH_PROJECTION_STATEMENTS,
  },
  {
    version: 6,
    name: 'full-text search with the words of non-ASCII text alone stored, no projection',
    statements: SEARCH_TOKENS_STATEMENTS,
  },
  {
    version: 7,
    name: 'chat_event_rows sorted by channel, day, user and time (a verified table copy)',
    statements: [],
    apply: rekeyChatEventRows,
  },
];
