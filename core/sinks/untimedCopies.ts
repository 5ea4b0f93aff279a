import type { ChatEvent } from '../events/chatEvent.ts';
import { copyIdsOf } from '../events/copyIds.ts';
import { eventId, REPLICA_SKEW_MARGIN_MS, REPLICA_WINDOW_MS } from '../irc/eventId.ts';
import { parseLine } from '../irc/parseLine.ts';

/**
 * How far apart in sent_at two stored copies of one untimed line may be: each replica's copy has
 * its own received_at as sent_at, so a copy is looked for this far either side. Copies of one
 * `{next}` or `{window}` id were read within one hold or window of each other.
 */
export const UNTIMED_COPY_MS = 2 * REPLICA_WINDOW_MS;

/** An untimed chat event and every id under which a copy of it may be stored (its own first). */
export interface UntimedEvent {
  readonly event: ChatEvent;
  readonly ids: readonly string[];
}

/**
 * The ids of an *untimed* event — a line without `tmi-sent-ts` (ROOMSTATE, most NOTICEs), whose
 * sent_at is the received_at of the replica that read it — or null for a timed one (its copies
 * share event_id and sent_at, which each sink's unique key already catches).
 *
 * Its own event_id; the ids its reader says a copy may have (copyIds.ts: the channel's next
 * timestamped line came near the hold's bound, so another replica may have anchored it the other
 * way); and, when one of these is the `{window}` fallback of the capture with replicas and it was
 * read within REPLICA_SKEW_MARGIN_MS of the window's edge, the id the same line has in the
 * neighbouring window: another replica may have read it on the other side of the edge (issue 19:
 * the scale bench's 2 lines stored twice). Treating them as one merges only identical id-less
 * lines with no timestamped line of their channel between them, which `{next}` merges too
 * (core/irc/eventIdResolver.ts). A `{prev}` id, a line with an `id` tag: only itself.
 */
export function untimedIds(event: ChatEvent): string[] | null {
  const sentTs = event.tags['tmi-sent-ts'];
  if (sentTs !== undefined && sentTs !== '') return null;
  const own = event.event_id;
  const ids = [own, ...copyIdsOf(event)];
  if (!own.startsWith('h:') || event.channel === '*') return ids;
  const at = event.received_at;
  const start = Math.floor(at / REPLICA_WINDOW_MS) * REPLICA_WINDOW_MS;
  const nearStart = at - start < REPLICA_SKEW_MARGIN_MS;
  const nearEnd = start + REPLICA_WINDOW_MS - at <= REPLICA_SKEW_MARGIN_MS;
  if (!nearStart && !nearEnd) return ids;
  const message = parseLine(event.raw);
  if (!ids.includes(eventId(message, { window: start }))) return ids;
  ids.push(eventId(message, { window: nearStart ? start - REPLICA_WINDOW_MS : start + REPLICA_WINDOW_MS }));
  return ids;
}

/** True when one of `ids` is in `stored` (the event is a copy of one stored). */
export function anyStored(ids: readonly string[], stored: ReadonlySet<string>): boolean {
  for (const id of ids) if (stored.has(id)) return true;
  return false;
}
