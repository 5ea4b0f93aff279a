/**
 * The read API's full-text search on ClickHouse (core/read/searchQuery.ts: every word, whole
 * words, case and accents folded, "phrases" consecutive). chat_event_rows.text is indexed through
 * SEARCH_WORDS_SQL, the text as searchWords() sees it (NFKD, marks dropped, lower-cased, every run
 * of non-letters and non-digits one space), so a token of the index is exactly a word of the
 * search: tokenbf_v1 splits at ASCII non-alphanumerics and keeps other bytes in tokens, and after
 * the rewrite only spaces separate. The words are a MATERIALIZED column, text_words: computing
 * them when reading cost ~1.3 µs per row (1.3 s per million rows scanned; NFKD and the two
 * regexps), scanning the stored column ~0.2 µs. The query asks hasToken of the column per word,
 * which is what lets ClickHouse use the index; the index prunes granules only, and the same
 * column then decides each row exactly (phrases by position in the space-padded words).
 *
 * tokenbf_v1 rather than the `text` index: the pinned server (docker-compose, 24.8) has no `text`
 * index, and the bloom filter is a plain skip index that every version since 21 reads (chdb 26.7
 * included). 32 KiB per granule of 8,192 rows (4 B/event, 3 hashes): a granule of real chat has
 * up to ~10,000 distinct words, about 1% false positives at that size.
 */
export const SEARCH_WORDS_SQL = `replaceRegexpAll(lowerUTF8(replaceRegexpAll(normalizeUTF8NFKD(ifNull(text, '')), '\\\\pM', '')), '[^\\\\p{L}\\\\p{N}]+', ' ')`;

/** The stored words of text (a MATERIALIZED column: computed once, at insert). */
export const SEARCH_WORDS_COLUMN = 'text_words';

export const SEARCH_INDEX_STATEMENTS: readonly string[] = [
  `ALTER TABLE chat_event_rows ADD COLUMN IF NOT EXISTS ${SEARCH_WORDS_COLUMN} String MATERIALIZED ${SEARCH_WORDS_SQL} CODEC(ZSTD(3))`,
  `ALTER TABLE chat_event_rows ADD INDEX IF NOT EXISTS text_words_bf ${SEARCH_WORDS_COLUMN} TYPE tokenbf_v1(32768, 3, 0) GRANULARITY 1`,
  // Store the column and build the index for the parts written before them, in the background (a
  // mutation); until it is done those parts compute the words when read, with the same answers.
  `ALTER TABLE chat_event_rows MATERIALIZE COLUMN ${SEARCH_WORDS_COLUMN}`,
  'ALTER TABLE chat_event_rows MATERIALIZE INDEX text_words_bf',
];

/**
 * A user's search reads the text_words_by_user projection: chat_event_rows' channel, user_login,
 * sent_at and words ordered by (channel, user_login, sent_at), so a user's rows in a channel are
 * one key range instead of being spread over every granule of the channel (where neither the
 * user_login bloom filter nor the words' prune anything when the user chats all the time).
 * Measured in chdb on bench/chdbSearch.ts's 10,000,000 events (core/read/clickhouseSearchPage.ts):
 * the user's rare phrase went from a 6.7-million-row scan (~1.5 s) to a 335,000-row range; the
 * projection holds 9.7 B/event (the words 8.8 of it). ClickHouse 24.8 (docker-compose) refuses a
 * projection on a ReplacingMergeTree unless told what merges do with it: `rebuild` (rebuilt
 * from the merged rows, so a collapsed copy leaves it too). Search by user id has no projection
 * and scans the channel's range (the read API's clients name users by login).
 */
export const SEARCH_PROJECTION_STATEMENTS: readonly string[] = [
  "ALTER TABLE chat_event_rows MODIFY SETTING deduplicate_merge_projection_mode = 'rebuild'",
  `ALTER TABLE chat_event_rows ADD PROJECTION IF NOT EXISTS text_words_by_user (SELECT channel, user_login, sent_at, ${SEARCH_WORDS_COLUMN} ORDER BY channel, user_login, sent_at)`,
  // Built for the parts written before it by a background mutation; until then those parts are read from the table.
  'ALTER TABLE chat_event_rows MATERIALIZE PROJECTION text_words_by_user',
];
