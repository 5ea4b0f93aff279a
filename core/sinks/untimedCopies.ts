import type { ChatEvent } from '../events/chatEvent.ts';
import { copyIdsOf } from '../events/copyIds.ts';
import { eventId, REPLICA_SKEW_MARGIN_MS, REPLICA_WINDOW_MS } from '../irc/eventId.ts';
import { parseLine } from '../irc/parseLine.ts';
import type { IrcMessage } from '../irc/types.ts';

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
  /**
   * True when its reader let it go before it could be anchored (`{orphan}`, EventAnchor): a
   * copy of it may be stored under any id, and is found by content (orphanKeys, orphanCopyIn).
   */
  readonly orphan: boolean;
  /** Its orphanKeys (none for an id that is not `h:`, or a NOTICE to `*`). */
  readonly orphanKeys: readonly string[];
}

/**
 * The ids of an *untimed* event — a line without `tmi-sent-ts` (ROOMSTATE, most NOTICEs), whose
 * sent_at is the received_at of the replica that read it — or null for a timed one (its copies
 * share event_id and sent_at, which each sink's unique key already catches).
 *
 * Its own event_id; the ids its reader says a copy may have (copyIds.ts: the channel's next
 * timestamped line came near the hold's bound, so another replica may have anchored it the other
 * way); when one of these is the `{window}` fallback of the capture with replicas and it was
 * read within REPLICA_SKEW_MARGIN_MS of the window's edge, the id the same line has in the
 * neighbouring window: another replica may have read it on the other side of the edge (issue 19:
 * the scale bench's 2 lines stored twice); and its orphanKeys: a replica that stopped reading the
 * channel before the line's anchor came sent it under one of them. Treating them as one merges
 * only identical id-less lines with no timestamped line of their channel between them, which
 * `{next}` merges too (core/irc/eventIdResolver.ts), or, with an orphan, identical ones read in
 * one window. A `{prev}` id, a line with an `id` tag: only itself.
 */
export function untimedCopy(event: ChatEvent): UntimedEvent | null {
  const sentTs = event.tags['tmi-sent-ts'];
  if (sentTs !== undefined && sentTs !== '') return null;
  const own = event.event_id;
  const ids = [own, ...copyIdsOf(event)];
  if (!own.startsWith('h:') || event.channel === '*') return { event, ids, orphan: false, orphanKeys: [] };
  const message = parseLine(event.raw);
  const orphans = orphanKeysOf(message, event.received_at);
  const at = event.received_at;
  const start = Math.floor(at / REPLICA_WINDOW_MS) * REPLICA_WINDOW_MS;
  const nearStart = at - start < REPLICA_SKEW_MARGIN_MS;
  const nearEnd = start + REPLICA_WINDOW_MS - at <= REPLICA_SKEW_MARGIN_MS;
  if ((nearStart || nearEnd) && ids.includes(eventId(message, { window: start }))) {
    ids.push(eventId(message, { window: nearStart ? start - REPLICA_WINDOW_MS : start + REPLICA_WINDOW_MS }));
  }
  for (const key of orphans) if (!ids.includes(key)) ids.push(key);
  return { event, ids, orphan: own === orphans[0], orphanKeys: orphans };
}

/**
 * The `{orphan}` ids (EventAnchor) under which a replica that let go early sent a copy of this
 * untimed line read at `receivedAt`: the one of its own window first, and the neighbouring
 * window's when read within REPLICA_SKEW_MARGIN_MS of the edge.
 */
export function orphanKeysOf(message: IrcMessage, receivedAt: number): string[] {
  const start = Math.floor(receivedAt / REPLICA_WINDOW_MS) * REPLICA_WINDOW_MS;
  const keys = [eventId(message, { orphan: start })];
  if (receivedAt - start < REPLICA_SKEW_MARGIN_MS) keys.push(eventId(message, { orphan: start - REPLICA_WINDOW_MS }));
  else if (start + REPLICA_WINDOW_MS - receivedAt <= REPLICA_SKEW_MARGIN_MS)
    keys.push(eventId(message, { orphan: start + REPLICA_WINDOW_MS }));
  return keys;
}

/** A stored untimed row of an orphan's channel and kind: its raw line and received_at (= sent_at). */
export interface StoredUntimedRow {
  readonly raw: string;
  readonly receivedAt: number;
}

/**
 * The orphans among `untimed` that have a copy among `stored` (the untimed rows of their
 * channels and kinds within UNTIMED_COPY_MS, fetched by the sink): a stored row is a copy of an
 * orphan when the orphan's own id is one of the row's orphanKeys — the same content, read in the
 * same window or near its edge. (The other way round, an event whose copy is a stored orphan,
 * the sink finds by id: its ids hold its orphanKeys.)
 */
export function orphanCopyIn(untimed: readonly UntimedEvent[], stored: Iterable<StoredUntimedRow>): Set<ChatEvent> {
  const copies = new Set<ChatEvent>();
  const orphans = untimed.filter((u) => u.orphan);
  if (orphans.length === 0) return copies;
  const keys = new Set<string>();
  for (const row of stored) {
    const message = parseLine(row.raw);
    const sentTs = message.tags['tmi-sent-ts'];
    if (sentTs !== undefined && sentTs !== '') continue;
    for (const key of orphanKeysOf(message, row.receivedAt)) keys.add(key);
  }
  for (const { event } of orphans) if (keys.has(event.event_id)) copies.add(event);
  return copies;
}

/** What a sink reads to find the orphans' stored copies (orphanCopyIn): null when the batch has no orphan. */
export interface OrphanLookup {
  readonly channels: string[];
  readonly kinds: string[];
  /** The sent_at range, in ms since the epoch, inclusive. */
  readonly lo: number;
  readonly hi: number;
}

export function orphanLookup(untimed: readonly UntimedEvent[]): OrphanLookup | null {
  const orphans = untimed.filter((u) => u.orphan);
  if (orphans.length === 0) return null;
  let lo = Infinity;
  let hi = -Infinity;
  for (const { event } of orphans) {
    if (event.sent_at < lo) lo = event.sent_at;
    if (event.sent_at > hi) hi = event.sent_at;
  }
  return {
    channels: [...new Set(orphans.map((u) => u.event.channel))],
    kinds: [...new Set(orphans.map((u) => u.event.kind))],
    lo: lo - UNTIMED_COPY_MS,
    hi: hi + UNTIMED_COPY_MS,
  };
}

/** True when one of `ids` is in `stored` (the event is a copy of one stored). */
export function anyStored(ids: readonly string[], stored: ReadonlySet<string>): boolean {
  for (const id of ids) if (stored.has(id)) return true;
  return false;
}
