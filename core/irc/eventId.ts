import { createHash } from 'node:crypto';
import type { IrcMessage } from './types.ts';

/**
 * What an id-less line without `tmi-sent-ts` (ROOMSTATE, most NOTICEs) hashes in place of a
 * time (see EventIdResolver): `next`, the tmi-sent-ts of the next timestamped line of its
 * channel (the rule: every replica connected when the line arrived also reads that line). When
 * none came within the bound, a fallback: `window`, the start of the fixed window of `received_at`
 * it was read in (windowAnchor; the live capture: the same on every replica whatever each read
 * before), or `prev`, the tmi-sent-ts of the last timestamped line of its channel before it, or
 * null (one reader of a file: `parse`, `import`). A line the live capture released before either
 * could be known — its reader stopped reading the channel (a dropped connection, a PART, a lost
 * lease, a shutdown, a crash) or had to let go early — takes `orphan`: its own received_at
 * (orphanAnchor), so two orphaned lines never share an id; the sinks match an orphan with the other
 * replicas' copies by content (core/sinks/untimedCopies.ts). The four hash differently,
 * so they can never collide.
 */
export type EventAnchor =
  { readonly next: number } | { readonly window: number } | { readonly orphan: number } | { readonly prev: number | null };

/**
 * The `window` width of a live capture with replicas (idHoldMs): a sink finds the copy another
 * replica read across a window's edge by it (core/sinks/untimedCopies.ts).
 */
export const REPLICA_WINDOW_MS = 120_000;

/**
 * How far apart two replicas may read one line (milliseconds apart; seconds under load) and still
 * have their copies of it found: near a window's edge (core/sinks/untimedCopies.ts) and near the
 * hold's bound (EventIdResolverOptions.boundMarginMs) a line carries the id the other side gives.
 */
export const REPLICA_SKEW_MARGIN_MS = 30_000;

/** The `window` fallback anchor: the start of the `windowMs`-wide window (counted from the epoch) that holds `receivedAt`. */
export function windowAnchor(receivedAt: number, windowMs: number): EventAnchor {
  return { window: Math.floor(receivedAt / windowMs) * windowMs };
}

/** The `orphan` anchor of a line read at `receivedAt` (see EventAnchor). */
export function orphanAnchor(receivedAt: number): EventAnchor {
  return { orphan: receivedAt };
}

/** The anchor of a line read with no reader state (a bare normalizeLine call): the fallback with nothing before it. */
export const NO_ANCHOR: EventAnchor = { prev: null };

/**
 * The deterministic `h:` event id of the ChatEvent contract, for lines without an `id` tag:
 * `h:` + the first 32 hex characters of SHA-256 over the canonical line — command, prefix,
 * params and the (unescaped, last-wins) tags sorted by key — and, when the line has no
 * `tmi-sent-ts`, its EventAnchor. Only the line's content and the stream it came in decide the
 * id, never an arrival time or a file's mtime, so every replica and every import gives a line the
 * same id. The canonical form is a JSON array, so no choice of separator can make two lines
 * collide; a timestamped line hashes null where the anchor goes, an anchor is an object.
 */
export function eventId(message: IrcMessage, anchor: EventAnchor): string {
  const keys = Object.keys(message.tags).sort();
  const tagPairs: string[] = new Array<string>(keys.length * 2);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    tagPairs[i * 2] = key;
    tagPairs[i * 2 + 1] = message.tags[key]!;
  }
  const sentTs = message.tags['tmi-sent-ts'];
  const canonical = JSON.stringify([
    message.command,
    message.prefix,
    message.params,
    tagPairs,
    sentTs === undefined || sentTs === '' ? anchor : null,
  ]);
  return `h:${createHash('sha256').update(canonical).digest('hex').slice(0, 32)}`;
}
