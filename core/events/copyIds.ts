import type { ChatEvent } from './chatEvent.ts';

const copies = new WeakMap<ChatEvent, readonly string[]>();

/**
 * The other ids under which a replica may have sent a copy of this id-less event: set by the
 * reader that gave it its id (EventIdResolver, when the channel's next timestamped line came so
 * near the hold's bound that another replica may have read it on the other side), carried on the
 * stream (compactChatEvent.ts) and looked up by the sinks (core/sinks/untimedCopies.ts). Kept
 * beside the event, not in it: ChatEvent v1 is the stored contract, and these ids are not stored.
 */
export function copyIdsOf(event: ChatEvent): readonly string[] {
  return copies.get(event) ?? [];
}

export function setCopyIds(event: ChatEvent, ids: readonly string[]): void {
  if (ids.length === 0) copies.delete(event);
  else copies.set(event, ids);
}
