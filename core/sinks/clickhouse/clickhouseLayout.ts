import { categoryViewStatements } from '../categoryViews.ts';
import { OWN_PARAMS, OWN_TAGS } from './clickhouseChatRow.ts';
import { lineTagsSql, paramsOfTagsSql, rawSql } from './clickhouseLineSql.ts';

/**
 * The compact chat event layout (issue 16). `chat_event_rows` holds each event's typed columns
 * (encoded as clickhouseChatRow.ts explains) and its raw line as line parts; `chat_events` is a
 * view over it with every ChatEvent field under its contract name and contract value, raw, tags
 * and params rebuilt in SQL (clickhouseLineSql.ts). The view reads FINAL, so it and the category
 * views on it count each event once before merges have collapsed copies; `chat_events FINAL`
 * (dashboards, reports) is accepted on a view and changes nothing. Code reads a range through
 * readClickHouseChatEvents (the stored columns, rebuilt in TypeScript), several times cheaper.
 *
 * Measured on bench/sinks.ts's 100,000 events, compressed bytes per event of each column in
 * system.columns after OPTIMIZE FINAL (first layout: 165 B/event in all; this one: 52):
 * - event_uuid 16.0: random, so CODEC(NONE) (ZSTD and LZ4 store 16.0–16.07). The first layout's
 *   event_id text took 19.1 and its bloom filter 1.3; the writer's existence lookup is pruned by
 *   the batch's sent_at range, so no event id index.
 * - raw 64 + tags 48 → template 1.0 (LowCardinality: each distinct skeleton stored once per part)
 *   + extras 10.6 (mostly client-nonce, 16 random bytes on 30% of messages) + residual ~0.
 * - Text columns ZSTD(16), where ZSTD turns to optimal parsing: text 7.46 (ZSTD(3)) → 6.47,
 *   extras 11.5 (ZSTD(9)) → 10.6, user_login 2.98 → 2.62, display_name 2.95 → 2.58; level 19
 *   gains < 0.1 more at several times the merge CPU.
 * - LowCardinality columns with ZSTD(9) on their index streams instead of the default LZ4:
 *   badges 2.14 → 0.66, color 0.71 → 0.35, kind 0.49 → 0.21, subtype 0.40 → 0.20, template 1.63 → 1.0.
 * - sent_at Delta, T64, ZSTD(9) 3.09 (DoubleDelta 4.2–4.6, Delta + ZSTD 3.4, T64 + ZSTD 3.3);
 *   received_delay_ms T64, ZSTD(3) 1.13 where received_at (Delta, T64) took 3.13.
 * - Sort key (channel, sent_at, event_uuid) with primary key (channel, sent_at): a channel-day is
 *   one key range; the key ends in the event id, so copies of an event collapse in merges. A
 *   user's month uses the user_login bloom filter (0.66): the bench's busiest user's month
 *   (4,042 rows) reads in ~165 ms against ~195 for the first layout.
 *   Migration 7 (rekeyChatEventRows.ts) re-sorts the table by (channel, toDate(sent_at),
 *   user_login, sent_at, event_uuid): a user's rows of a day lie
 *   together, which a user's search needs (docs/read-api.md, "Search"), and a channel-day is
 *   still one key range, read whole and sorted by sent_at.
 */
export const EVENT_ID_SQL =
  "multiIf(event_id_form = '', toString(event_uuid), event_id_form = 'h:', concat('h:', replaceAll(toString(event_uuid), '-', '')), substring(event_id_form, 2))";

const LINE_TAGS_SQL = lineTagsSql('raw');

/**
 * The view's columns, contract names in contract order. Two levels: the inner one rebuilds raw
 * from `chat_event_rows`, the outer one derives tags and params from that raw column (inline,
 * each use of raw in the tag split was rebuilt anew: `SELECT tags` took 5.4 s for 100,000 rows).
 * Filters on the contract columns reach the table's key through both levels.
 */
export const CHAT_EVENTS_COLUMNS_SQL = `
  event_id, v, kind, subtype, channel, channel_id, user_login, user_id, display_name,
  target_user_login, target_user_id, target_message_id, text, is_action, system_text,
  bits, ban_duration_s, badges, color, sent_at, received_at, source_channel_id, source_event_id,
  if(bitTest(own, ${Math.log2(OWN_PARAMS)}), own_params, ${paramsOfTagsSql(LINE_TAGS_SQL)}) AS params,
  if(bitTest(own, ${Math.log2(OWN_TAGS)}), own_tags, ${LINE_TAGS_SQL}) AS tags,
  raw`;

const STORED_COLUMNS_SQL = `
  ${EVENT_ID_SQL} AS event_id,
  toUInt8(1) AS v,
  kind, subtype, channel, channel_id, user_login, user_id, display_name,
  target_user_login, target_user_id, target_message_id, text, is_action, system_text,
  bits, ban_duration_s, badges, color, sent_at,
  addMilliseconds(sent_at, received_delay_ms) AS received_at,
  source_channel_id, source_event_id, own, own_tags, own_params,
  ${rawSql(EVENT_ID_SQL)} AS raw`;

/** chat_event_rows' stored columns (migration 3), but those the search index added later (clickhouseSearchIndex.ts). */
export const CHAT_EVENT_ROWS_COLUMNS = `
  event_uuid UUID CODEC(NONE),
  event_id_form String CODEC(ZSTD(3)),
  kind LowCardinality(String) CODEC(ZSTD(9)),
  subtype LowCardinality(Nullable(String)) CODEC(ZSTD(9)),
  channel LowCardinality(String) CODEC(ZSTD(9)),
  channel_id LowCardinality(Nullable(String)) CODEC(ZSTD(9)),
  user_login Nullable(String) CODEC(ZSTD(16)),
  user_id Nullable(String) CODEC(ZSTD(16)),
  display_name Nullable(String) CODEC(ZSTD(16)),
  target_user_login Nullable(String) CODEC(ZSTD(16)),
  target_user_id Nullable(String) CODEC(ZSTD(16)),
  target_message_id Nullable(String) CODEC(ZSTD(16)),
  text Nullable(String) CODEC(ZSTD(16)),
  is_action Bool CODEC(ZSTD(3)),
  system_text Nullable(String) CODEC(ZSTD(16)),
  bits UInt32 CODEC(T64, ZSTD(3)),
  ban_duration_s Nullable(UInt32) CODEC(T64, ZSTD(3)),
  badges Array(LowCardinality(String)) CODEC(ZSTD(9)),
  color LowCardinality(Nullable(String)) CODEC(ZSTD(9)),
  sent_at DateTime64(3, 'UTC') CODEC(Delta, T64, ZSTD(9)),
  received_delay_ms Int64 CODEC(T64, ZSTD(3)),
  source_channel_id LowCardinality(Nullable(String)) CODEC(ZSTD(9)),
  source_event_id Nullable(String) CODEC(ZSTD(16)),
  template LowCardinality(Nullable(String)) CODEC(ZSTD(9)),
  extras String CODEC(ZSTD(16)),
  residual Nullable(String) CODEC(ZSTD(16)),
  own UInt8 CODEC(ZSTD(3)),
  own_tags Map(String, String) CODEC(ZSTD(9)),
  own_params Map(String, String) CODEC(ZSTD(9))`;

export const CHAT_EVENT_ROWS_TABLE = `CREATE TABLE IF NOT EXISTS chat_event_rows (
${CHAT_EVENT_ROWS_COLUMNS},
  INDEX user_login_bf user_login TYPE bloom_filter(0.01) GRANULARITY 4
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(sent_at)
PRIMARY KEY (channel, sent_at)
ORDER BY (channel, sent_at, event_uuid)
SETTINGS non_replicated_deduplication_window = 10000`;

export const CHAT_EVENTS_VIEW = `CREATE OR REPLACE VIEW chat_events AS SELECT ${CHAT_EVENTS_COLUMNS_SQL} FROM (SELECT ${STORED_COLUMNS_SQL} FROM chat_event_rows FINAL)`;

/**
 * chat_events' rows with the stored columns `extra` beside the contract's (the search reads the
 * words column of clickhouseSearchIndex.ts, which the view does not show): the view's own SELECT.
 */
export function chatEventsWith(extra: string): string {
  return `(SELECT ${CHAT_EVENTS_COLUMNS_SQL}, ${extra} FROM (SELECT ${STORED_COLUMNS_SQL}, ${extra} FROM chat_event_rows FINAL))`;
}

/** The statements that create the layout (empty), its view and the category views on it. */
export const CHAT_EVENT_LAYOUT_STATEMENTS: readonly string[] = [
  CHAT_EVENT_ROWS_TABLE,
  CHAT_EVENTS_VIEW,
  ...categoryViewStatements((name, select) => `CREATE OR REPLACE VIEW ${name} AS ${select}`),
];
