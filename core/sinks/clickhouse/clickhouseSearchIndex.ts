/**
 * The read API's full-text search on ClickHouse (core/read/searchQuery.ts: every word, whole
 * words, case and accents folded, "phrases" consecutive). chat_event_rows.text is indexed through
 * SEARCH_WORDS_SQL, the text as searchWords() sees it (NFKD, marks dropped, lower-cased, every run
 * of non-letters and non-digits one space), so a token of the index is exactly a word of the
 * search: tokenbf_v1 splits at ASCII non-alphanumerics and keeps other bytes in tokens, and after
 * the rewrite only spaces separate. Migrations 4 and 5 stored those words for every row (a
 * MATERIALIZED column, text_words, its bloom filter, and a projection in each user's order) and
 * stay as they were, so that every database takes the same path; migration 6 drops them and
 * indexes cheaper tokens instead (SEARCH_TOKENS_SQL, SEARCH_TOKENS_STATEMENTS), storing the words
 * of the texts that are not all ASCII alone. The query asks hasToken of the indexed expression
 * per word, which is what lets ClickHouse use the index; the index prunes granules only, and
 * clickhouseSearchMatch then decides each row of the granules left.
 *
 * tokenbf_v1 rather than the `text` index: the pinned server (docker-compose, 24.8) has no `text`
 * index, and the bloom filter is a plain skip index that every version since 21 reads (chdb 26.7
 * included). 32 KiB per granule of 8,192 rows (4 B/event, 3 hashes): a granule of real chat has
 * up to ~10,000 distinct words, about 1% false positives at that size.
 */
export const SEARCH_WORDS_SQL = `replaceRegexpAll(lowerUTF8(replaceRegexpAll(normalizeUTF8NFKD(ifNull(text, '')), '\\\\pM', '')), '[^\\\\p{L}\\\\p{N}]+', ' ')`;

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

const TEXT = "ifNull(text, '')";
const IS_ASCII = `length(${TEXT}) = lengthUTF8(${TEXT})`;

/** The words of a text that is not all ASCII, stored (migration 6); '' for an ASCII text. */
export const UNICODE_WORDS_COLUMN = 'text_words_unicode';

/** What UNICODE_WORDS_COLUMN holds, computed at insert. */
export const UNICODE_WORDS_SQL = `if(${IS_ASCII}, '', ${SEARCH_WORDS_SQL})`;

/**
 * The tokens the bloom filter indexes (migration 6): text lower-cased (ASCII only) and the stored
 * words of a text that is not all ASCII. tokenbf_v1 and hasToken split at ASCII
 * non-alphanumerics, so for an ASCII text these tokens are exactly its words (NFKD changes no
 * ASCII character, lower() is lowerUTF8() there, and the runs of ASCII letters and digits are
 * the words); for another text they are its words plus tokens with non-ASCII bytes in them, and
 * a token made only of ASCII letters and digits in lower(text) is one of its words too, so
 * hasToken on them never misses a word (it may find a folded word where the text has its
 * unfolded form: the stored words then decide).
 */
export const SEARCH_TOKENS_SQL = `concat(lower(${TEXT}), ' ', ${UNICODE_WORDS_COLUMN})`;

/**
 * Migration 6 (issue 16: storage.clickhouse.bytes_per_event ≤ 60). Migrations 4 and 5 stored
 * the words of every text (text_words, 8.2 B/event on the quick sinks bench) and a projection of
 * them in each user's order (text_words_by_user, 25.4 B/event: a projection's columns are LZ4,
 * not the table's codecs; one of channel, user_login and sent_at alone still cost 11.1). Most
 * chat is ASCII, whose words are cheap to find in text itself (lower-cased; SEARCH_TOKENS_SQL),
 * and the NFKD words expression, ~1.3 µs a row, is only needed for the rest: those words alone
 * are stored, computed at insert (UNICODE_WORDS_COLUMN), and the bloom filter indexes
 * SEARCH_TOKENS_SQL. The new index is added before the old ones go, so a search always has one;
 * existing parts get the column and the index by background mutations, and compute them when
 * read until then, with the same answers. Quick sinks bench: 91.1 → 57.9 B/event (57.9 after
 * migration 7). Without the projection a frequent chatter's rare phrase read the text of the
 * channel's every granule (chdb, 10,000,000 events: p50 54 ms, p95 626 ms); migration 7
 * (rekeyChatEventRows.ts) sorts each user's rows of a day together and the search reads day
 * ranges (core/read/clickhouseSearchPage.ts): p50 75 ms, p95 239 ms, the p95 that user's rare
 * phrase matching once a day over 116 days (docs/read-api.md, "Search").
 */
export const SEARCH_TOKENS_INDEX = 'text_tokens_bf';

export const SEARCH_TOKENS_STATEMENTS: readonly string[] = [
  `ALTER TABLE chat_event_rows ADD COLUMN IF NOT EXISTS ${UNICODE_WORDS_COLUMN} String MATERIALIZED ${UNICODE_WORDS_SQL} CODEC(ZSTD(9))`,
  `ALTER TABLE chat_event_rows ADD INDEX IF NOT EXISTS ${SEARCH_TOKENS_INDEX} (${SEARCH_TOKENS_SQL}) TYPE tokenbf_v1(32768, 3, 0) GRANULARITY 1`,
  'ALTER TABLE chat_event_rows DROP PROJECTION IF EXISTS text_words_by_user',
  'ALTER TABLE chat_event_rows DROP INDEX IF EXISTS text_words_bf',
  `ALTER TABLE chat_event_rows DROP COLUMN IF EXISTS ${SEARCH_WORDS_COLUMN}`,
  `ALTER TABLE chat_event_rows MATERIALIZE COLUMN ${UNICODE_WORDS_COLUMN}`,
  `ALTER TABLE chat_event_rows MATERIALIZE INDEX ${SEARCH_TOKENS_INDEX}`,
];

/**
 * The condition that text holds every word and phrase (a run of words), exactly. hasToken of
 * SEARCH_TOKENS_SQL per word lets the bloom filter skip granules, and it is exact on its own: a
 * query word is folded (letters and digits only, lower-cased, no marks), so a token of lower(text)
 * equal to it is already in folded form and is one of the text's words too, and the stored words
 * of a text that is not all ASCII are in the tokens. (A test of the stored words as well, as the
 * first version had, decided nothing more: its mutant could not be killed.) A phrase is decided by
 * its position in the words (of an ASCII text: lower(text) with its runs of non-alphanumerics made
 * one space). `and` evaluates lazily: the phrase's regular expression runs only on the rows
 * holding all the words.
 */
export function clickhouseSearchMatch(
  words: readonly string[],
  phrases: readonly (readonly string[])[],
  bind: (value: string) => string,
): string {
  if (words.length === 0) return 'true';
  const tokens = words.map((w) => `hasToken(${SEARCH_TOKENS_SQL}, ${bind(w)})`);
  const wordsOf = `if(${IS_ASCII}, concat(' ', replaceRegexpAll(lower(${TEXT}), '[^a-z0-9]+', ' '), ' '), concat(' ', ${UNICODE_WORDS_COLUMN}, ' '))`;
  const runs = phrases.map((p) => `position(${wordsOf}, ${bind(` ${p.join(' ')} `)}) > 0`);
  return [...tokens, ...runs].join(' AND ');
}
