import type { StoredEvent } from './types.ts';

/** Called with each new event of the channel, in the order the source learns of them. */
export type LiveListener = (event: StoredEvent) => void;

/**
 * New events of a channel as they are stored: the read API's live tail (/channel/{c}/live).
 * ChatEventHub serves it from the stream when the consumer runs in the same process (npm start);
 * PollingLiveSource from the database otherwise (poglytics serve).
 */
export interface LiveSource {
  /**
   * Starts delivering to `listener`; resolves, with the function that stops it, once every event
   * stored from then on will be delivered (a poll has taken note of what is stored already).
   */
  subscribe(channel: string, listener: LiveListener): Promise<() => void>;
  close(): void;
}
