import { ROWS } from './postgresLayout.ts';

/**
 * The read API's full-text search on Postgres (core/read/searchQuery.ts: every word, whole words,
 * case and accents folded, "phrases" consecutive). POSTGRES_SEARCH_WORDS(text) is the text's words
 * as searchWords() gives them (NFKD, combining marks dropped, lower-cased, split at every run of
 * characters that are neither letters nor digits), as a text[]; a GIN index over it answers
 * `words @> ARRAY[…]` (every word of the query) from its posting lists, and a phrase is then a
 * run of its words in the space-joined array. The letters, digits and marks are spelled out as
 * ranges taken from the JavaScript engine's Unicode tables, not [[:alnum:]], so the index splits
 * exactly as searchWords does whatever the database's locale; the function is IMMUTABLE (it
 * depends on nothing but its argument), which an expression index needs. Neither unaccent
 * (not IMMUTABLE, and it folds æ to ae where NFKD keeps it) nor a tsvector (its parser has its
 * own idea of words: URLs, hyphenated words) would give the same answers as the other engines.
 *
 * The index is on the table that stores the events (chat_event_rows, under the chat_events and
 * chat_event_parts views, whose `text` is the stored column, so a search through either view uses
 * it). An index
 * follows the table's deletions (opt-out, retention) by itself; on a partitioned table it is
 * created on every partition, present and future.
 */
export const SEARCH_TABLE = ROWS;
export const POSTGRES_SEARCH_WORDS = 'poglytics_search_words';

/** A regex bracket body of every code point matching `pattern` (one character class), as literal ranges. */
function bracketOf(pattern: RegExp): string {
  const parts: string[] = [];
  let start = -1;
  for (let cp = 0; cp <= 0x110000; cp++) {
    const inside = cp < 0x110000 && !(cp >= 0xd800 && cp <= 0xdfff) && pattern.test(String.fromCodePoint(cp));
    if (inside && start < 0) start = cp;
    if (!inside && start >= 0) {
      const end = cp - 1;
      parts.push(end === start ? String.fromCodePoint(start) : `${String.fromCodePoint(start)}-${String.fromCodePoint(end)}`);
      start = -1;
    }
  }
  return parts.join('');
}

const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;

export function searchIndexStatements(table = SEARCH_TABLE): string[] {
  const marks = bracketOf(/^\p{M}$/u);
  const wordChars = bracketOf(/^[\p{L}\p{N}]$/u);
  return [
    `CREATE OR REPLACE FUNCTION ${POSTGRES_SEARCH_WORDS}(t text) RETURNS text[] LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
      SELECT array_remove(regexp_split_to_array(lower(regexp_replace(normalize(t, NFKD), ${quote(`[${marks}]`)}, '', 'g')), ${quote(`[^${wordChars}]+`)}), '')
    $fn$`,
    `CREATE INDEX IF NOT EXISTS ${table}_text_words ON ${table} USING gin (${POSTGRES_SEARCH_WORDS}(text))`,
  ];
}

/**
 * The GIN index's pending list (its fast-update buffer) in kB: the smallest Postgres allows,
 * instead of the default 4,096. Inserts add their words to the pending list, and each time it
 * passes the limit it is merged into the posting lists and its pages freed: free pages that stay
 * in the index's file. With 4 MB that was most of the index: on the bench's 20,000 events
 * (bench/sinks.ts) 114.7 B/event built by the sink's inserts against 13.1 after REINDEX, with
 * 64 kB 20.1; fastupdate = off (no pending list) 17.2, but writes took ~45% longer, where 64 kB
 * writes as fast as 4 MB (a merge of 64 kB is still a batch). Hashing the words to int4 keys
 * saves nothing: the keys are few (66 distinct words there), the postings are the index.
 */
export const SEARCH_PENDING_LIST_KB = 64;

/** Version 5: the same index with the small pending list (reloptions are set when an index is created). */
export function searchIndexRebuildStatements(table = SEARCH_TABLE): string[] {
  return [
    `DROP INDEX IF EXISTS ${table}_text_words`,
    `CREATE INDEX ${table}_text_words ON ${table} USING gin (${POSTGRES_SEARCH_WORDS}(text)) WITH (gin_pending_list_limit = ${SEARCH_PENDING_LIST_KB})`,
  ];
}
