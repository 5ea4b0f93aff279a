import type { ChannelCatalog } from './createChannelCatalog.ts';
import type { BadgeProfile, Chatter } from './createChatterPool.ts';
import type { IdFactory } from './createIdFactory.ts';
import type { Prng } from './createPrng.ts';
import type { PooledText } from './createTextPool.ts';
import type { GeneratedLine, SimChannel } from './types.ts';

export interface RoomState {
  'emote-only': string;
  'followers-only': string;
  r9k: string;
  slow: string;
  'subs-only': string;
}

/** What the generator remembers per channel: the last message (for replies and deletions) and room modes. */
export interface ChannelState {
  lastMessage: { id: string; chatter: Chatter; text: string } | null;
  roomState: RoomState;
}

/** Everything the line builders share. */
export interface GeneratorContext {
  prng: Prng;
  ids: IdFactory;
  catalog: ChannelCatalog;
  chatters: readonly Chatter[];
  texts: readonly PooledText[];
  maxGiftWave: number;
  state(channelIndex: number): ChannelState;
  /** The Shared Chat partner of a channel, or null. */
  partnerOf(channelIndex: number): number | null;
  chatterFor(channelIndex: number): Chatter;
  badgesFor(chatter: Chatter, channel: SimChannel): BadgeProfile;
}

export type LineBuilder = (ctx: GeneratorContext, channel: SimChannel, now: number, out: GeneratedLine[]) => void;
