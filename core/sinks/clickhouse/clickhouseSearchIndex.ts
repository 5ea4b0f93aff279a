/**
 * The read API's full-text search on ClickHouse (core/read/searchQuery.ts: every word, whole
 * words, case and accents folded, "phrases" consecutive). chat_event_rows.text is indexed through
 * SEARCH_WORDS_SQL, the text as searchWords() sees it (NFKD, marks dropped, lower-cased, every run
 * of non-letters and non-digits one space), so a token of the index is exactly a word of the
 * search: tokenbf_v1 splits at ASCII non-alphanumerics and keeps other bytes in tokens, and after
 * the rewrite only spaces separate. A query names the same expression (hasToken per word), which
 * is what lets ClickHouse use the index; it prunes granules only, and the same expression then
 * decides each row exactly (phrases by position in the space-padded words).
 *
 * tokenbf_v1 rather than the `text` index: the pinned server (docker-compose, 24.8) has no `text`
 * index, and the bloom filter is a plain skip index that every version since 21 reads (chdb 26.7
 * included). 32 KiB per granule of 8,192 rows (4 B/event, 3 hashes): a granule of real chat has
 * up to ~10,000 distinct words, about 1% false positives at that size.
 */
export const SEARCH_WORDS_SQL = `replaceRegexpAll(lowerUTF8(replaceRegexpAll(normalizeUTF8NFKD(ifNull(text, '')), '\\\\pM', '')), '[^\\\\p{L}\\\\p{N}]+', ' ')`;

export const SEARCH_INDEX_STATEMENTS: readonly string[] = [
  `ALTER TABLE chat_event_rows ADD INDEX IF NOT EXISTS text_words ${SEARCH_WORDS_SQL} TYPE tokenbf_v1(32768, 3, 0) GRANULARITY 1`,
  // Builds the index for the parts stored before it, in the background (a mutation); until it
  // is done those parts are read without pruning, with the same answers.
  'ALTER TABLE chat_event_rows MATERIALIZE INDEX text_words',
];
