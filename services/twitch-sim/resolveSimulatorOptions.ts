import type { SimulatorOptions, SimulatorOptionsInput, TrafficMix } from './types.ts';

/** Roughly what a busy Twitch channel shows: mostly chat, a little of everything else. */
export const DEFAULT_MIX: TrafficMix = {
  message: 880,
  action: 15,
  reply: 40,
  firstMessage: 8,
  cheer: 8,
  sharedChatMessage: 10,
  sub: 8,
  resub: 12,
  giftWave: 2,
  subGift: 3,
  giftPaidUpgrade: 1,
  raid: 1,
  announcement: 2,
  ritual: 1,
  viewerMilestone: 2,
  bitsBadgeTier: 0.5,
  sharedChatNotice: 1,
  ban: 2,
  timeout: 10,
  clearChat: 0.2,
  delete: 6,
  roomState: 0.5,
  notice: 1,
};

export const DEFAULT_OPTIONS: SimulatorOptions = {
  host: '127.0.0.1',
  port: 0,
  seed: 1,
  channels: 1000,
  channelNames: [],
  messagesPerSecond: 1000,
  tickMs: 50,
  trafficAutoStart: true,
  zipfExponent: 1.0,
  maxViewers: 150_000,
  now: () => Date.now(),
  joinLimit: { count: 20, windowMs: 10_000 },
  suspendedChannels: [],
  bannedChannels: [],
  maxBufferedBytes: 16 * 1024 * 1024,
  pingIntervalMs: 5 * 60_000,
  pongTimeoutMs: 10_000,
  reconnectGraceMs: 1_000,
  maxGiftWave: 50,
  sharedChatFraction: 0.02,
  mix: DEFAULT_MIX,
  helix: {
    clientId: 'sim-client-id',
    clientSecret: 'sim-client-secret',
    tokenTtlMs: 60 * 24 * 3600_000,
    rateLimit: { points: 800, windowMs: 60_000 },
    shiftingPages: false,
    shiftFraction: 0.05,
    liveChannels: null,
  },
  groundTruth: { mode: 'full', file: null, maxRecords: 2_000_000 },
};

export function resolveSimulatorOptions(input: SimulatorOptionsInput = {}): SimulatorOptions {
  const defined = <T extends object>(value: T | undefined): Partial<T> =>
    Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
  const { helix, groundTruth, mix, ...rest } = input;
  const options: SimulatorOptions = {
    ...DEFAULT_OPTIONS,
    ...defined(rest),
    helix: { ...DEFAULT_OPTIONS.helix, ...defined(helix) },
    groundTruth: { ...DEFAULT_OPTIONS.groundTruth, ...defined(groundTruth) },
    mix: { ...DEFAULT_OPTIONS.mix, ...defined(mix) },
  };
  if (!Number.isInteger(options.channels) || options.channels < 1) throw new RangeError('channels must be a positive integer');
  if (!(options.messagesPerSecond >= 0)) throw new RangeError('messagesPerSecond must be >= 0');
  if (!(options.tickMs > 0)) throw new RangeError('tickMs must be > 0');
  return options;
}
