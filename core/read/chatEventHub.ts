import { isStreamSnapshot, type StreamEvent } from '../events/streamEvent.ts';
import type { LiveListener, LiveSource } from './liveSource.ts';

/** How many recent event ids the hub remembers, so a batch the consumer retries is not published twice. */
const RECENT_IDS = 50_000;

/**
 * In-process publish/subscribe of stored chat events: the local consumer publishes each batch
 * once its sink write returned (services/local/publishingSink.ts), the read API's live tails
 * subscribe per channel. Synchronous fan-out: a listener only queues bytes on its response.
 */
export class ChatEventHub implements LiveSource {
  private readonly listeners = new Map<string, Set<LiveListener>>();
  private readonly recent = new Set<string>();

  publish(events: readonly StreamEvent[]): void {
    for (const event of events) {
      if (isStreamSnapshot(event) || this.recent.has(event.event_id)) continue;
      this.recent.add(event.event_id);
      // A Set iterates in insertion order: the first entry is the oldest.
      if (this.recent.size > RECENT_IDS) this.recent.delete(this.recent.values().next().value!);
      for (const listener of this.listeners.get(event.channel) ?? []) listener(event);
    }
  }

  async subscribe(channel: string, listener: LiveListener): Promise<() => void> {
    let set = this.listeners.get(channel);
    if (set === undefined) this.listeners.set(channel, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(channel);
    };
  }

  close(): void {
    this.listeners.clear();
  }
}
