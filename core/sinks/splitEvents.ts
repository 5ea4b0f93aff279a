import type { ChatEvent } from '../events/chatEvent.ts';
import type { StreamEvent } from '../events/streamEvent.ts';
import type { StreamSnapshot } from '../events/streamSnapshot.ts';
import { anyStored, ContentCopies, untimedCopy, type UntimedEvent } from './untimedCopies.ts';

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
  // The untimed events kept, by content: an orphan and a copy of its line are one (untimedCopies.ts).
  const seenContent = new ContentCopies();
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
    if (copy === null ? seenChat.has(event.event_id) : anyStored(copy.ids, seenChat) || seenContent.has(copy)) repeated++;
    else {
      seenChat.add(event.event_id);
      chat.push(event);
      if (copy !== null) {
        untimed.push(copy);
        seenContent.add(copy);
      }
    }
  }
  return { chat, snapshots, untimed, repeated };
}
