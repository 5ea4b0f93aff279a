import type { ChatEvent } from '../events/chatEvent.ts';
import { eventId, REPLICA_WINDOW_MS } from '../irc/eventId.ts';
import { parseLine } from '../irc/parseLine.ts';

/**
 * How far apart in sent_at two stored copies of one untimed line may be: each replica's copy has
 * its own received_at as sent_at, so a copy is looked for this far either side. Copies of one
 * `{next}` or `{window}` id were read within one hold or window of each other.
 */
export const UNTIMED_COPY_MS = 2 * REPLICA_WINDOW_MS;

/**
 * How near a `{window}` edge a line must be read for its copy from another replica to be looked
 * for under the neighbouring window's id: well above the gap between two replicas' reading of a
 * line (milliseconds; seconds under load).
 */
export const WINDOW_EDGE_MS = 30_000;

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
 * Its own event_id, and, when that id is the `{window}` fallback of the capture with replicas and
 * it was read within WINDOW_EDGE_MS of the window's edge, the id the same line has in the
 * neighbouring window: another replica may have read it on the other side of the edge (issue 19:
 * the one way two replicas gave one line two ids). Treating them as one merges only identical
 * id-less lines with no timestamped line of their channel between them, which `{next}` merges too
 * (core/irc/eventIdResolver.ts). A `{next}` or `{prev}` id, a line with an `id` tag: only itself.
 */
export function untimedIds(event: ChatEvent): string[] | null {
  const sentTs = event.tags['tmi-sent-ts'];
  if (sentTs !== undefined && sentTs !== '') return null;
  const own = event.event_id;
  if (!own.startsWith('h:') || event.channel === '*') return [own];
  const at = event.received_at;
  const start = Math.floor(at / REPLICA_WINDOW_MS) * REPLICA_WINDOW_MS;
  const nearStart = at - start < WINDOW_EDGE_MS;
  const nearEnd = start + REPLICA_WINDOW_MS - at <= WINDOW_EDGE_MS;
  if (!nearStart && !nearEnd) return [own];
  const message = parseLine(event.raw);
  if (eventId(message, { window: start }) !== own) return [own];
  return [own, eventId(message, { window: nearStart ? start - REPLICA_WINDOW_MS : start + REPLICA_WINDOW_MS })];
}

/** True when one of `ids` is in `stored` (the event is a copy of one stored). */
export function anyStored(ids: readonly string[], stored: ReadonlySet<string>): boolean {
  for (const id of ids) if (stored.has(id)) return true;
  return false;
}
