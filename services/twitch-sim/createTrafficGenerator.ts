import { buildAction, buildCheer, buildFirstMessage, buildMessage, buildReply, buildSharedChatMessage } from './buildChatLines.ts';
import {
  buildBan,
  buildClearChat,
  buildDelete,
  buildNotice,
  buildRoomStateChange,
  buildTimeout,
  DEFAULT_ROOM_STATE,
  roomStateLine,
} from './buildModerationLines.ts';
import {
  buildAnnouncement,
  buildBitsBadgeTier,
  buildGiftPaidUpgrade,
  buildGiftWave,
  buildRaid,
  buildResub,
  buildRitual,
  buildSharedChatNotice,
  buildSub,
  buildSubGift,
  buildViewerMilestone,
} from './buildUserNoticeLines.ts';
import type { ChannelCatalog } from './createChannelCatalog.ts';
import { BADGE_PROFILES, createChatterPool, type BadgeProfile, type Chatter } from './createChatterPool.ts';
import { createIdFactory } from './createIdFactory.ts';
import { createPrng } from './createPrng.ts';
import { createTextPool } from './createTextPool.ts';
import type { ChannelState, GeneratorContext, LineBuilder } from './generatorContext.ts';
import type { GeneratedLine, SimChannel, TrafficMix } from './types.ts';

const BUILDERS: Record<keyof TrafficMix, LineBuilder> = {
  message: buildMessage,
  action: buildAction,
  reply: buildReply,
  firstMessage: buildFirstMessage,
  cheer: buildCheer,
  sharedChatMessage: buildSharedChatMessage,
  sub: buildSub,
  resub: buildResub,
  giftWave: buildGiftWave,
  subGift: buildSubGift,
  giftPaidUpgrade: buildGiftPaidUpgrade,
  raid: buildRaid,
  announcement: buildAnnouncement,
  ritual: buildRitual,
  viewerMilestone: buildViewerMilestone,
  bitsBadgeTier: buildBitsBadgeTier,
  sharedChatNotice: buildSharedChatNotice,
  ban: buildBan,
  timeout: buildTimeout,
  clearChat: buildClearChat,
  delete: buildDelete,
  roomState: buildRoomStateChange,
  notice: buildNotice,
};

const CHATTER_POOL_SIZE = 20_000;
const TEXT_POOL_SIZE = 8_192;
const REGULARS_PER_CHANNEL = 2_000;

export interface TrafficGenerator {
  /** Appends the lines of the next event in this channel (a gift wave or a Shared Chat mirror gives several). */
  generate(channelIndex: number, now: number, out: GeneratedLine[]): void;
  /** The full ROOMSTATE for a JOIN, reflecting mode changes so far. */
  roomStateLine(channelIndex: number): string;
}

/** Deterministic traffic: the same seed and the same sequence of calls give the same lines. */
export function createTrafficGenerator(options: {
  seed: number;
  catalog: ChannelCatalog;
  mix: TrafficMix;
  maxGiftWave: number;
  sharedChatFraction: number;
}): TrafficGenerator {
  const prng = createPrng(options.seed);
  const poolPrng = createPrng(options.seed ^ 0x7e47);
  const chatters = createChatterPool(poolPrng, CHATTER_POOL_SIZE);
  const texts = createTextPool(poolPrng, TEXT_POOL_SIZE);
  const states = new Map<number, ChannelState>();
  const { catalog } = options;
  const entries = (Object.keys(BUILDERS) as Array<keyof TrafficMix>).filter((k) => options.mix[k] > 0);
  if (entries.length === 0) throw new RangeError('the traffic mix has no positive weight');
  const cumulative = new Float64Array(entries.length);
  let total = 0;
  entries.forEach((k, i) => {
    total += options.mix[k];
    cumulative[i] = total;
  });
  const builders = entries.map((k) => BUILDERS[k]);
  const sharedThreshold = options.sharedChatFraction * 4294967296;

  const state = (channelIndex: number): ChannelState => {
    let s = states.get(channelIndex);
    if (s === undefined) {
      s = { lastMessage: null, roomState: { ...DEFAULT_ROOM_STATE } };
      states.set(channelIndex, s);
    }
    return s;
  };

  const ctx: GeneratorContext = {
    prng,
    ids: createIdFactory(prng),
    catalog,
    chatters,
    texts,
    maxGiftWave: options.maxGiftWave,
    state,
    partnerOf(channelIndex) {
      const partner = channelIndex ^ 1;
      if (partner >= catalog.channels.length) return null;
      // Pairs (2k, 2k+1) share chat when a hash of k falls under the fraction.
      return Math.imul((channelIndex >>> 1) + 1, 2654435761) >>> 0 < sharedThreshold ? partner : null;
    },
    chatterFor(channelIndex) {
      // Each channel has its regulars: a window of the pool, the first ones talking most.
      const r = prng.next();
      const offset = Math.floor(r * r * r * REGULARS_PER_CHANNEL);
      return chatters[((Math.imul(channelIndex, 7919) + offset) % CHATTER_POOL_SIZE) >>> 0] as Chatter;
    },
    badgesFor(chatter: Chatter, channel: SimChannel): BadgeProfile {
      if (chatter.login === channel.login)
        return { badges: 'broadcaster/1', badgeInfo: '', mod: false, subscriber: false, vip: false, userType: '' };
      return BADGE_PROFILES[(Number(chatter.id.slice(-4)) + channel.index) % BADGE_PROFILES.length] as BadgeProfile;
    },
  };

  return {
    generate(channelIndex, now, out) {
      const channel = catalog.channels[channelIndex];
      if (channel === undefined) throw new RangeError(`no channel ${channelIndex}`);
      const u = prng.next() * total;
      let i = 0;
      while ((cumulative[i] as number) <= u && i < cumulative.length - 1) i++;
      (builders[i] as LineBuilder)(ctx, channel, now, out);
    },
    roomStateLine(channelIndex) {
      const channel = catalog.channels[channelIndex];
      if (channel === undefined) throw new RangeError(`no channel ${channelIndex}`);
      return roomStateLine(channel, state(channelIndex).roomState);
    },
  };
}
