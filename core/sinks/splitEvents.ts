import type { ChatEvent } from '../events/chatEvent.ts';
import type { StreamEvent } from '../events/streamEvent.ts';
import type { StreamSnapshot } from '../events/streamSnapshot.ts';

export interface SplitEvents {
  readonly chat: ChatEvent[];
  readonly snapshots: StreamSnapshot[];
  /** Events whose event_id already appeared earlier in the same batch. */
  readonly repeated: number;
}

/** Separates chat events from snapshots and drops in-batch repeats of an event_id (first wins). */
export function splitEvents(events: readonly StreamEvent[]): SplitEvents {
  const chat: ChatEvent[] = [];
  const snapshots: StreamSnapshot[] = [];
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
    } else if (seenChat.has(event.event_id)) repeated++;
    else {
      seenChat.add(event.event_id);
      chat.push(event);
    }
  }
  return { chat, snapshots, repeated };
}
