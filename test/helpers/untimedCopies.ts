import assert from 'node:assert/strict';
import type { ChatEvent } from '../../core/events/chatEvent.ts';
import { eventId, REPLICA_WINDOW_MS, type EventAnchor } from '../../core/irc/eventId.ts';
import { normalizeLine } from '../../core/irc/normalizeLine.ts';

/** A window edge of the live capture with replicas (a multiple of REPLICA_WINDOW_MS). */
export const EDGE = 14_166_667 * REPLICA_WINDOW_MS;

/** The channel the untimed copies below are in. */
export const UNTIMED_CHANNEL = 'untimedcopies';

/** An untimed line as a replica that read it at `receivedAt` and anchored it on `anchor` sends it. */
export function untimedEvent(raw: string, receivedAt: number, anchor: EventAnchor): ChatEvent {
  const result = normalizeLine(raw, receivedAt);
  assert.equal(result.type, 'event');
  if (result.type !== 'event') throw new Error('not an event');
  result.event.event_id = eventId(result.message, anchor);
  return result.event;
}

const roomstate = (tag: string) => `@room-id=1;${tag} :tmi.twitch.tv ROOMSTATE #${UNTIMED_CHANNEL}`;
const notice = `@msg-id=subs_off :tmi.twitch.tv NOTICE #${UNTIMED_CHANNEL} :This room is no longer in subscribers-only mode.`;
const emoteOffNotice = `@msg-id=emote_only_off :tmi.twitch.tv NOTICE #${UNTIMED_CHANNEL} :This room is no longer in emote-only mode.`;
const window = (at: number) => ({ window: Math.floor(at / REPLICA_WINDOW_MS) * REPLICA_WINDOW_MS });
const orphan = (at: number) => ({ orphan: at });
const r9kOnNotice = `@msg-id=r9k_on :tmi.twitch.tv NOTICE #${UNTIMED_CHANNEL} :This room is now in r9k mode.`;

/**
 * Untimed lines (no tmi-sent-ts: each replica's copy has its own sent_at) as two capture replicas
 * send them, in two batches (issue 19): `first` holds one copy of each of three lines and two pairs
 * of lines that are not copies; `second` holds the other copies. A sink keeps `lines` of them.
 * - a ROOMSTATE both replicas anchored on the same next timestamped line, read 40 ms apart;
 * - a NOTICE read 20 ms before a window edge by one replica and 20 ms after it by the other,
 *   so each gave it the id of its own window;
 * - a ROOMSTATE read across the edge the same way, both copies in the first batch (later copy first);
 * - not copies: one ROOMSTATE change twice, a timestamped line between (other `next` anchors),
 *   and a NOTICE twice, a minute either side of the edge (no replica reads a line that far apart).
 * Orphans (`{orphan}`: a replica stopped reading the channel before the line's anchor came), each
 * with a copy another replica anchored on its next line or its window:
 * - the anchored copy in the first batch, the orphan in the second (found by content), and the
 *   other way round (found by id);
 * - both in the first batch, either first;
 * - an orphan read 8 s after a window edge, its copy read 5 s before it with the window's id;
 * - not copies: an orphan of a line read 3 minutes earlier, or 90 s, or one whose content differs
 *   from a line read 0.5 s apart by one tag; and the same change read 70 s after an orphan of it
 *   (two lines: the orphan's reader lost the channel, the change came again).
 * The second batch holds `secondLines` lines not stored before.
 */
export function untimedReplicaBatches(): { first: ChatEvent[]; second: ChatEvent[]; firstLines: number; secondLines: number } {
  const sameNext = { next: EDGE - 90_000 };
  const a = [
    untimedEvent(roomstate('subs-only=1'), EDGE - 100_000, sameNext),
    untimedEvent(roomstate('subs-only=1'), EDGE - 99_960, sameNext),
  ];
  const b = [untimedEvent(notice, EDGE - 20, window(EDGE - 20)), untimedEvent(notice, EDGE + 20, window(EDGE + 20))];
  const c = [
    untimedEvent(roomstate('slow=10'), EDGE + 15, window(EDGE + 15)),
    untimedEvent(roomstate('slow=10'), EDGE - 15, window(EDGE - 15)),
  ];
  const twice = [
    untimedEvent(roomstate('emote-only=1'), EDGE + 50_000, { next: EDGE + 50_500 }),
    untimedEvent(roomstate('emote-only=1'), EDGE + 51_000, { next: EDGE + 52_000 }),
    untimedEvent(emoteOffNotice, EDGE - 60_000, window(EDGE - 60_000)),
    untimedEvent(emoteOffNotice, EDGE + 60_000, window(EDGE + 60_000)),
  ];
  const w = REPLICA_WINDOW_MS;
  const r9k = roomstate('r9k=1');
  const d = [untimedEvent(r9k, EDGE + 30_000, { next: EDGE + 31_000 }), untimedEvent(r9k, EDGE + 30_700, orphan(EDGE + 30_700))];
  const followers = roomstate('followers-only=10');
  const e = [
    untimedEvent(followers, EDGE + 40_000, orphan(EDGE + 40_000)),
    untimedEvent(followers, EDGE + 40_050, { next: EDGE + 41_000 }),
  ];
  const slow = roomstate('slow=30');
  const f = [untimedEvent(slow, EDGE + 45_000, { next: EDGE + 46_000 }), untimedEvent(slow, EDGE + 45_020, orphan(EDGE + 45_020))];
  const subsOff = roomstate('subs-only=0');
  const g = [untimedEvent(subsOff, EDGE + 70_000, orphan(EDGE + 70_000)), untimedEvent(subsOff, EDGE + 69_990, window(EDGE + 69_990))];
  const h = [
    untimedEvent(r9kOnNotice, EDGE + 2 * w - 5_000, window(EDGE + 2 * w - 5_000)),
    untimedEvent(r9kOnNotice, EDGE + 2 * w + 8_000, orphan(EDGE + 2 * w + 8_000)),
  ];
  const emoteOff = roomstate('emote-only=0');
  const notCopies = [
    untimedEvent(emoteOff, EDGE + 10_000, { next: EDGE + 11_000 }),
    untimedEvent(emoteOff, EDGE + 190_000, orphan(EDGE + 190_000)),
    untimedEvent(roomstate('r9k=0'), EDGE + 30_500, orphan(EDGE + 30_500)),
    untimedEvent(roomstate('followers-only=-1'), EDGE + 80_000, orphan(EDGE + 80_000)),
  ];
  const newInSecond = [
    untimedEvent(emoteOff, EDGE + 100_000, orphan(EDGE + 100_000)),
    untimedEvent(roomstate('followers-only=-1'), EDGE + 150_000, { next: EDGE + 150_500 }),
  ];
  return {
    first: [a[0]!, b[0]!, c[0]!, c[1]!, ...twice, d[0]!, e[0]!, f[0]!, f[1]!, g[0]!, g[1]!, h[0]!, ...notCopies],
    second: [a[1]!, b[1]!, d[1]!, e[1]!, h[1]!, ...newInSecond],
    firstLines: 16,
    secondLines: 2,
  };
}
