/**
 * The read API's full-text search on ClickHouse (core/read/searchQuery.ts: every word, whole
 * words, case and accents folded, "phrases" consecutive). chat_event_rows.text is indexed through
 * SEARCH_WORDS_SQL, the text as searchWords() sees it (NFKD, marks dropped, lower-cased, every run
 * of non-letters and non-digits one space), so a token of the index is exactly a word of the
 * search: tokenbf_v1 splits at ASCII non-alphanumerics and keeps other bytes in tokens, and after
 * the rewrite only spaces separate. Since migration 6 the index is on the expression itself and
 * nothing else is stored: the query asks hasToken(SEARCH_WORDS_SQL, word) per word, the same
 * expression, which is what lets ClickHouse use the index; the index prunes granules only, and
 * the expression then decides each row of the granules left (phrases by position in the
 * space-padded words). Migrations 4 and 5 stored the words (a MATERIALIZED column, text_words,
 * and a projection in each user's order) and stay as they were, so that every database takes
 * the same path; 6 drops them (SEARCH_EXPRESSION_STATEMENTS says what that costs).
 *
 * tokenbf_v1 rather than the `text` index: the pinned server (docker-compose, 24.8) has no `text`
 * index, and the bloom filter is a plain skip index that every version since 21 reads (chdb 26.7
 * included). 32 KiB per granule of 8,192 rows (4 B/event, 3 hashes): a granule of real chat has
 * up to ~10,000 distinct words, about 1% false positives at that size.
 */
export const SEARCH_WORDS_SQL = `replaceRegexpAll(lowerUTF8(replaceRegexpAll(normalizeUTF8NFKD(ifNull(text, '')), '\\\\pM', '')), '[^\\\\p{L}\\\\p{N}]+', ' ')`;

const TEXT = "ifNull(text, '')";

/**
 * The condition that text holds every word and phrase (each a run of words), exactly. hasToken of
 * SEARCH_WORDS_SQL, the indexed expression, lets the bloom filter skip granules and decides each
 * row; but the expression costs ~1.3 µs a row (NFKD and two regular expressions over Unicode
 * classes), and a granule the filter keeps has 8,192 rows. So an ASCII row (length = lengthUTF8:
 * most chat) is first tested on text itself, where the words are the same: nothing to decompose
 * and no marks, lower() is lowerUTF8(), and the runs of ASCII letters and digits are the tokens
 * hasTokenCaseInsensitive() finds (it splits at every ASCII non-alphanumeric). A phrase there is
 * looked up in text with ASCII non-alphanumerics made spaces. `and`/`or` evaluate lazily, so the
 * expression runs only on the ASCII rows that passed and on the others; measured in chdb on
 * 1,000,000 ASCII rows, a word absent from them took 5,390 ms through the expression and 207 ms
 * through the test first.
 */
export function clickhouseSearchMatch(
  words: readonly string[],
  phrases: readonly (readonly string[])[],
  bind: (value: string) => string,
): string {
  const asciiWords = `concat(' ', replaceRegexpAll(lower(${TEXT}), '[^a-z0-9]+', ' '), ' ')`;
  const asciiTest = [
    ...words.map((w) => `hasTokenCaseInsensitive(${TEXT}, ${bind(w)})`),
    ...phrases.map((p) => `position(${asciiWords}, ${bind(` ${p.join(' ')} `)}) > 0`),
  ];
  const exact = [
    ...words.map((w) => `hasToken(${SEARCH_WORDS_SQL}, ${bind(w)})`),
    ...phrases.map((p) => `position(concat(' ', ${SEARCH_WORDS_SQL}, ' '), ${bind(` ${p.join(' ')} `)}) > 0`),
  ];
  if (asciiTest.length === 0) return 'true';
  return [`(length(${TEXT}) <> lengthUTF8(${TEXT}) OR (${asciiTest.join(' AND ')}))`, ...exact].join(' AND ');
}

/** The words of text as migrations 4 and 5 stored them (a MATERIALIZED column), dropped by migration 6. */
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

/**
 * Migration 6 (issue 16: storage.clickhouse.bytes_per_event ≤ 60): the words are no longer
 * stored. The bloom filter indexes SEARCH_WORDS_SQL itself, so the words are computed at insert
 * and merge for the index only, and when reading only for the granules it keeps (the query names
 * the same expression: hasToken(SEARCH_WORDS_SQL, word)). Measured on the quick bench's 20,000
 * events (bench/sinks.ts): 91.1 → 57.8 B/event; the text_words column was 8.2 of them, the
 * text_words_by_user projection 25.4 (a projection's columns are LZ4, not the table's codecs: one
 * of channel, user_login and sent_at alone was still 11.1), this index 0.2.
 * The new index is added before the old one goes, so a search keeps an index while it is built.
 * The price is search time (bench/chdbSearch.ts, 10,000,000 events): p50 31-38 → 132 ms, p95
 * 181-276 → 1,381 ms, as rare phrases compute the words of every row the scope and the filter
 * leave (~1.3 µs each) and a user's are no longer one key range (docs/read-api.md, "Search").
 */
export const SEARCH_EXPRESSION_INDEX = 'text_search_bf';

export const SEARCH_EXPRESSION_STATEMENTS: readonly string[] = [
  `ALTER TABLE chat_event_rows ADD INDEX IF NOT EXISTS ${SEARCH_EXPRESSION_INDEX} (${SEARCH_WORDS_SQL}) TYPE tokenbf_v1(32768, 3, 0) GRANULARITY 1`,
  'ALTER TABLE chat_event_rows DROP PROJECTION IF EXISTS text_words_by_user',
  'ALTER TABLE chat_event_rows DROP INDEX IF EXISTS text_words_bf',
  `ALTER TABLE chat_event_rows DROP COLUMN IF EXISTS ${SEARCH_WORDS_COLUMN}`,
  `ALTER TABLE chat_event_rows MATERIALIZE INDEX ${SEARCH_EXPRESSION_INDEX}`,
];
