import type { ChatEvent } from '../events/chatEvent.ts';
import type { StreamEvent } from '../events/streamEvent.ts';
import type { StreamSnapshot } from '../events/streamSnapshot.ts';
import { anyStored, untimedCopy, type UntimedEvent } from './untimedCopies.ts';

export interface SplitEvents {
  readonly chat: ChatEvent[];
  readonly snapshots: StreamSnapshot[];
  /** The untimed events of `chat` (untimedCopies.ts): a sink looks for their stored copies by every id and a sent_at range. */
  readonly untimed: UntimedEvent[];
  /** Events whose event_id already appeared earlier in the same batch (an untimed one: under any of its ids, an orphan by content). */
  readonly repeated: number;
}

/** Separates chat events from snapshots and drops in-batch repeats of an event_id (first wins). */
export function splitEvents(events: readonly StreamEvent[]): SplitEvents {
  const chat: ChatEvent[] = [];
  const snapshots: StreamSnapshot[] = [];
  const untimed: UntimedEvent[] = [];
  const seenChat = new Set<string>();
  // The orphanKeys of the untimed events kept: an orphan whose own id is one of them is a copy.
  const seenOrphanKeys = new Set<string>();
  const seenSnapshots = new Set<string>();
  let repeated = 0;
  for (const event of events) {
    if (event.kind === 'stream_snapshot') {
      if (seenSnapshots.has(event.event_id)) repeated++;
      else {
        seenSnapshots.add(event.event_id);
        snapshots.push(event);
      }
      continue;
    }
    const copy = untimedCopy(event);
    if (copy === null ? seenChat.has(event.event_id) : anyStored(copy.ids, seenChat) || (copy.orphan && seenOrphanKeys.has(event.event_id)))
      repeated++;
    else {
      seenChat.add(event.event_id);
      chat.push(event);
      if (copy !== null) {
        untimed.push(copy);
        for (const key of copy.orphanKeys) seenOrphanKeys.add(key);
      }
    }
  }
  return { chat, snapshots, untimed, repeated };
}
