import type { ChatEvent } from '../events/chatEvent.ts';
import { copyIdsOf } from '../events/copyIds.ts';
import { eventId, orphanAnchor, REPLICA_SKEW_MARGIN_MS, REPLICA_WINDOW_MS } from '../irc/eventId.ts';
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
   * Its content (the line's hash with no anchor), when a copy may be an orphan's or be matched
   * with one (an `h:` id in a channel), else null.
   */
  readonly content: string | null;
  /** True when its reader let it go before its anchor could come (`{orphan}`, EventAnchor). */
  readonly orphan: boolean;
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
 * An orphan's copies are found by content instead (isContentCopy).
 */
export function untimedCopy(event: ChatEvent): UntimedEvent | null {
  const sentTs = event.tags['tmi-sent-ts'];
  if (sentTs !== undefined && sentTs !== '') return null;
  const own = event.event_id;
  const ids = [own, ...copyIdsOf(event)];
  if (!own.startsWith('h:') || event.channel === '*') return { event, ids, content: null, orphan: false };
  const message = parseLine(event.raw);
  const at = event.received_at;
  const start = Math.floor(at / REPLICA_WINDOW_MS) * REPLICA_WINDOW_MS;
  const nearStart = at - start < REPLICA_SKEW_MARGIN_MS;
  const nearEnd = start + REPLICA_WINDOW_MS - at <= REPLICA_SKEW_MARGIN_MS;
  if ((nearStart || nearEnd) && ids.includes(eventId(message, { window: start }))) {
    ids.push(eventId(message, { window: nearStart ? start - REPLICA_WINDOW_MS : start + REPLICA_WINDOW_MS }));
  }
  return { event, ids, content: contentOf(message), orphan: own === eventId(message, orphanAnchor(at)) };
}

/** A line's content: its hash with no anchor (equal for two copies whatever each was anchored on). */
function contentOf(message: IrcMessage): string {
  return eventId(message, { prev: null });
}

/** One untimed line as a sink or a batch holds it: its content, when read, and whether it is an orphan. */
interface ContentCopy {
  readonly content: string;
  readonly at: number;
  readonly orphan: boolean;
}

/**
 * True when `a` and `b` are copies of one line by content: an orphan (its reader could not know
 * its anchor) and a line with the same content read within REPLICA_SKEW_MARGIN_MS of it, the
 * most two replicas' readings of one line differ by. So an orphan merges with an identical line
 * of its channel only when the two were read within 30 s (the same change made twice that fast,
 * while one replica lost the channel); two lines neither of which is an orphan never merge here.
 */
function isContentCopy(a: ContentCopy, b: ContentCopy): boolean {
  return (a.orphan || b.orphan) && a.content === b.content && Math.abs(a.at - b.at) <= REPLICA_SKEW_MARGIN_MS;
}

/** Untimed lines by content: those of a batch kept so far (splitEvents), or stored ones (contentCopiesIn). */
export class ContentCopies {
  private readonly byContent = new Map<string, ContentCopy[]>();

  /** True when `u` is a copy by content of one held here (isContentCopy). */
  has(u: UntimedEvent): boolean {
    if (u.content === null) return false;
    const copy = { content: u.content, at: u.event.received_at, orphan: u.orphan };
    return this.byContent.get(u.content)?.some((kept) => isContentCopy(copy, kept)) ?? false;
  }

  add(u: UntimedEvent): void {
    if (u.content !== null) this.addCopy({ content: u.content, at: u.event.received_at, orphan: u.orphan });
  }

  addCopy(copy: ContentCopy): void {
    const list = this.byContent.get(copy.content) ?? [];
    list.push(copy);
    this.byContent.set(copy.content, list);
  }
}

/** A stored untimed row of a channel and kind the batch has untimed lines in. */
export interface StoredUntimedRow {
  readonly eventId: string;
  readonly raw: string;
  /** Its sent_at, which for an untimed line is the received_at of the replica that read it. */
  readonly receivedAt: number;
}

/** What a sink reads to find copies by content (contentCopiesIn): null when the batch needs none. */
export interface ContentLookup {
  readonly channels: string[];
  readonly kinds: string[];
  /** The sent_at range, in ms since the epoch, inclusive. */
  readonly lo: number;
  readonly hi: number;
}

export function contentLookup(untimed: readonly UntimedEvent[]): ContentLookup | null {
  const lines = untimed.filter((u) => u.content !== null);
  if (lines.length === 0) return null;
  let lo = Infinity;
  let hi = -Infinity;
  for (const { event } of lines) {
    if (event.sent_at < lo) lo = event.sent_at;
    if (event.sent_at > hi) hi = event.sent_at;
  }
  return {
    channels: [...new Set(lines.map((u) => u.event.channel))],
    kinds: [...new Set(lines.map((u) => u.event.kind))],
    lo: lo - REPLICA_SKEW_MARGIN_MS,
    hi: hi + REPLICA_SKEW_MARGIN_MS,
  };
}

/**
 * The events among `untimed` with a copy by content (isContentCopy) among `stored` (the rows
 * contentLookup names): an orphan and another replica's copy of its line, in either order.
 */
export function contentCopiesIn(untimed: readonly UntimedEvent[], stored: Iterable<StoredUntimedRow>): Set<ChatEvent> {
  const rows = new ContentCopies();
  for (const row of stored) {
    const message = parseLine(row.raw);
    const sentTs = message.tags['tmi-sent-ts'];
    if (sentTs !== undefined && sentTs !== '') continue;
    const orphan = row.eventId === eventId(message, orphanAnchor(row.receivedAt));
    rows.addCopy({ content: contentOf(message), at: row.receivedAt, orphan });
  }
  return new Set(untimed.filter((u) => rows.has(u)).map((u) => u.event));
}

/** True when one of `ids` is in `stored` (the event is a copy of one stored). */
export function anyStored(ids: readonly string[], stored: ReadonlySet<string>): boolean {
  for (const id of ids) if (stored.has(id)) return true;
  return false;
}
