import { unescapeTagValue } from '../irc/unescapeTagValue.ts';
import type { ChatEvent } from './chatEvent.ts';
import { paramsOfTags } from './rebuildLine.ts';

/**
 * The tags a sink's view rebuilds from a raw line in SQL (ClickHouse: lineTagsSql, Postgres:
 * poglytics_line_tags), as [key, value] pairs in line order: the text between `@` and the first
 * space, split on `;`, empty entries skipped, each split at its first `=` (no `=`: the value is
 * ''), values unescaped.
 */
export function tagsOfTagSection(raw: string): [string, string][] {
  const space = raw.indexOf(' ');
  if (raw.charCodeAt(0) !== 0x40 || space === -1) return [];
  const pairs: [string, string][] = [];
  for (const entry of raw.slice(1, space).split(';')) {
    if (entry === '') continue;
    const equals = entry.indexOf('=');
    pairs.push(equals === -1 ? [entry, ''] : [entry.slice(0, equals), unescapeTagValue(entry.slice(equals + 1))]);
  }
  return pairs;
}

/** The pairs, with no key twice, are exactly this record (JSON object key order aside). */
function samePairs(pairs: readonly [string, string][], record: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(record);
  if (keys.length !== pairs.length) return false;
  const seen = new Set<string>();
  for (const [key, value] of pairs) {
    if (seen.has(key) || !Object.hasOwn(record, key) || record[key] !== value) return false;
    seen.add(key);
  }
  return true;
}

/**
 * Whether a view that derives tags from the raw line's tag section (tagsOfTagSection) and params
 * from those tags (paramsOfTags) gives this event's tags and params; a sink stores them only
 * when not (an event not made by the normalizer, or a line with a repeated tag key).
 */
export function derivedTags(e: ChatEvent): { tags: boolean; params: boolean } {
  const pairs = tagsOfTagSection(e.raw);
  const tags = samePairs(pairs, e.tags);
  const params = tags && samePairs(Object.entries(paramsOfTags(Object.fromEntries(pairs))), e.params);
  return { tags, params };
}
