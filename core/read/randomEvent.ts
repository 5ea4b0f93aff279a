import type { ChatReader, ReadScope, StoredEvent } from './types.ts';

/**
 * A random event in scope in three index seeks: a random instant between the first and the last
 * event, then the first event at or after it. Not uniform over events (a line after a quiet hour
 * is likelier), which a "random quote" does not need; uniform would mean counting the scope.
 */
export async function randomEvent(reader: ChatReader, scope: ReadScope, random: () => number = Math.random): Promise<StoredEvent | null> {
  const first = await reader.firstEventAt(scope, 0);
  const last = await reader.lastEventAt(scope);
  if (first === null || last === null) return null;
  const at = first + Math.floor(random() * (last - first + 1));
  for await (const event of reader.events(scope, { fromMs: at, toMs: last + 1, limit: 1 })) return event;
  return null;
}
