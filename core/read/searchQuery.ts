import { SearchQueryError } from './errors.ts';

/** One thing a message must contain: a word, or a phrase (its words consecutive, in order). */
export interface SearchTerm {
  readonly phrase: boolean;
  readonly text: string;
}

/** Every term must match (AND). Parsed once at the edge; each engine translates the terms to its own index. */
export interface SearchQuery {
  readonly terms: readonly SearchTerm[];
}

export const MAX_QUERY_CHARS = 200;
export const MAX_TERMS = 10;

/**
 * The search syntax, the same on every engine (docs/read-api.md, "Search"):
 * - words separated by spaces; a message matches when it contains every word, in any order;
 * - `"quoted words"` match as a phrase: those words consecutive and in that order;
 * - words are whole words, case and accents folded (`pogchamp` finds `PogChamp`, `pokemon` finds
 *   `Pokémon`); punctuation and emoji separate words and are not searchable;
 * - no operators: OR, NOT, `*`, `-` and parentheses are not special, the way a chat reader types.
 * Refused (SearchQueryError): an empty query, an unclosed quote, more than MAX_QUERY_CHARS
 * characters or MAX_TERMS terms, and a term with no letter or digit in it (it could match nothing).
 */
export function parseSearchQuery(q: string): SearchQuery {
  if (q.length > MAX_QUERY_CHARS) throw new SearchQueryError(`q is longer than ${MAX_QUERY_CHARS} characters`);
  if ((q.match(/"/g)?.length ?? 0) % 2 === 1) throw new SearchQueryError('q has an unclosed quote (")');
  const terms: SearchTerm[] = [];
  for (const match of q.matchAll(/"([^"]*)"|([^\s"]+)/g)) {
    const phrase = match[1] !== undefined;
    const text = (match[1] ?? match[2]!).trim().replace(/\s+/g, ' ');
    if (phrase && text === '') continue;
    if (!/[\p{L}\p{N}]/u.test(text)) throw new SearchQueryError(`"${text}" has no letter or digit to search for`);
    terms.push({ phrase: phrase && text.includes(' '), text });
  }
  if (terms.length === 0) throw new SearchQueryError('q is empty: give one or more words or "a quoted phrase"');
  if (terms.length > MAX_TERMS) throw new SearchQueryError(`q has more than ${MAX_TERMS} words and phrases`);
  return { terms };
}

/**
 * The words of a text as every engine's index must see them: NFKD, combining marks dropped (accents
 * folded), lower-cased, split at every character that is not a letter or a digit (punctuation,
 * emoji, `_`). A term matches a text when its words occur consecutively among the text's words.
 */
export function searchWords(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w !== '');
}
