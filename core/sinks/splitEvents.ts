import type { ChatEvent } from '../events/chatEvent.ts';
import type { StreamEvent } from '../events/streamEvent.ts';
import type { StreamSnapshot } from '../events/streamSnapshot.ts';
import { anyStored, untimedIds, type UntimedEvent } from './untimedCopies.ts';

export interface SplitEvents {
  readonly chat: ChatEvent[];
  readonly snapshots: StreamSnapshot[];
  /** The untimed events of `chat` (untimedCopies.ts): a sink looks for their stored copies by every id and a sent_at range. */
  readonly untimed: UntimedEvent[];
  /** Events whose event_id already appeared earlier in the same batch (an untimed one: under any of its ids). */
  readonly repeated: number;
}

/** Separates chat events from snapshots and drops in-batch repeats of an event_id (first wins). */
export function splitEvents(events: readonly StreamEvent[]): SplitEvents {
  const chat: ChatEvent[] = [];
  const snapshots: StreamSnapshot[] = [];
  const untimed: UntimedEvent[] = [];
  const seenChat = new Set<string>();
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
    const ids = untimedIds(event);
    if (ids === null ? seenChat.has(event.event_id) : anyStored(ids, seenChat)) repeated++;
    else {
      seenChat.add(event.event_id);
      chat.push(event);
      if (ids !== null) untimed.push({ event, ids });
    }
  }
  return { chat, snapshots, untimed, repeated };
}
