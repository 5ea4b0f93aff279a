import type { ChatEventKind } from '../../core/events/chatEvent.ts';

/** How much of what was sent the ground truth keeps (memory is bounded for long runs). */
export const GroundTruthMode = { Full: 'full', Ids: 'ids', Counts: 'counts', Off: 'off' } as const;
export type GroundTruthMode = (typeof GroundTruthMode)[keyof typeof GroundTruthMode];

/** Relative weights of the traffic mix; each draw picks one entry (a gift wave emits 1 + N lines). */
export interface TrafficMix {
  message: number;
  action: number;
  reply: number;
  firstMessage: number;
  cheer: number;
  sharedChatMessage: number;
  sub: number;
  resub: number;
  giftWave: number;
  subGift: number;
  giftPaidUpgrade: number;
  raid: number;
  announcement: number;
  ritual: number;
  viewerMilestone: number;
  bitsBadgeTier: number;
  sharedChatNotice: number;
  ban: number;
  timeout: number;
  clearChat: number;
  delete: number;
  roomState: number;
  notice: number;
}

export interface HelixOptions {
  clientId: string;
  clientSecret: string;
  /** Lifetime of app access tokens issued by POST /oauth2/token. */
  tokenTtlMs: number;
  /** Token bucket per Client-Id (Twitch: 800 points per minute); null disables 429s. */
  rateLimit: { points: number; windowMs: number } | null;
  /** Viewer counts drift between requests, so offset cursors repeat or skip streams. */
  shiftingPages: boolean;
  /** Fraction of streams whose viewer count changes before each /streams request. */
  shiftFraction: number;
  /** How many channels are live (the first N of the catalog by viewers); default all. */
  liveChannels: number | null;
}

export interface GroundTruthOptions {
  mode: GroundTruthMode;
  /** Append every record as NDJSON to this file (full records, independent of `mode`). */
  file: string | null;
  /** At most this many records are kept in memory; later ones are only counted. */
  maxRecords: number;
  /**
   * Also generate and record traffic on channels that no connection has joined (with no
   * connection ids), as real Twitch chat goes on whoever listens: a capture gap then shows as
   * missing events. Off by default: most tests join a subset, and at 100,000 channels skipping
   * unjoined draws is what keeps the simulator fast.
   */
  recordUndelivered?: boolean;
}

export interface SimulatorOptions {
  host: string;
  port: number;
  seed: number;
  /** Number of simulated channels (up to 100,000 and beyond). */
  channels: number;
  /** Logins for the first channels (the rest are generated). */
  channelNames: string[];
  /** Aggregate event lines per second over all channels, spread by Zipf weight. */
  messagesPerSecond: number;
  tickMs: number;
  /** Start the traffic loop at once (otherwise call startTraffic() or tick()). */
  trafficAutoStart: boolean;
  zipfExponent: number;
  maxViewers: number;
  /** Clock for tmi-sent-ts, token expiry, rate limits and ground-truth times. */
  now: () => number;
  /** JOINs per connection per window; exceeding it drops the connection. null = no limit. */
  joinLimit: { count: number; windowMs: number } | null;
  /** JOIN of these channels is answered by NOTICE msg_channel_suspended (and no ROOMSTATE). */
  suspendedChannels: string[];
  /** JOIN of these channels is answered by NOTICE msg_banned. */
  bannedChannels: string[];
  /** A connection whose WebSocket bufferedAmount exceeds this is dropped (slow reader). */
  maxBufferedBytes: number;
  /** The server PINGs a connection that has been quiet this long, and drops it without PONG. */
  pingIntervalMs: number;
  pongTimeoutMs: number;
  /** Delay between RECONNECT and closing the connection. */
  reconnectGraceMs: number;
  /** Largest gift wave (submysterygift count). */
  maxGiftWave: number;
  /** Fraction of channels paired in Shared Chat sessions. */
  sharedChatFraction: number;
  mix: TrafficMix;
  helix: HelixOptions;
  groundTruth: GroundTruthOptions;
}

/** Options as callers give them: everything optional, nested objects partial. */
export type SimulatorOptionsInput = Partial<Omit<SimulatorOptions, 'helix' | 'groundTruth' | 'mix'>> & {
  helix?: Partial<HelixOptions>;
  groundTruth?: Partial<GroundTruthOptions>;
  mix?: Partial<TrafficMix>;
};

/** One line the traffic generator produced. */
export interface GeneratedLine {
  channelIndex: number;
  kind: ChatEventKind;
  /** msg-id / notice msg-id / source-msg-id for sharedchatnotice, as the ChatEvent subtype. */
  subtype: string | null;
  /** The `id` tag when the line has one. */
  eventId: string | null;
  line: string;
}

export const SendCause = { Traffic: 'traffic', Join: 'join', Control: 'control' } as const;
export type SendCause = (typeof SendCause)[keyof typeof SendCause];

/** One event line the simulator sent, to every connection listed. */
export interface GroundTruthRecord {
  seq: number;
  eventId: string | null;
  kind: ChatEventKind;
  subtype: string | null;
  channel: string;
  connectionIds: number[];
  /** The line without CR LF; null in `ids` mode. */
  raw: string | null;
  sentAt: number;
  cause: SendCause;
}

export interface JoinRecord {
  connectionId: number;
  channel: string;
  /** When ROOMSTATE confirmed the JOIN; events after this reach the connection. */
  joinedAt: number;
}

export interface GroundTruthCounts {
  total: number;
  deliveries: number;
  byKind: Record<string, number>;
  byChannel: Record<string, number>;
  byConnection: Record<string, number>;
  /** Records counted but not kept in memory (mode or maxRecords). */
  notKept: number;
}

export interface SimChannel {
  index: number;
  login: string;
  displayName: string;
  id: string;
  viewers: number;
  language: string;
  gameId: string;
  gameName: string;
  title: string;
  startedAt: string;
  isMature: boolean;
  streamId: string;
  tags: string[];
}

export interface ConnectionInfo {
  id: number;
  nick: string | null;
  anonymous: boolean;
  channels: string[];
  connectedAt: number;
  eventsSent: number;
  bufferedAmount: number;
}

export interface SimStats {
  connections: number;
  connectionsTotal: number;
  droppedSlowReaders: number;
  droppedJoinLimit: number;
  linesGenerated: number;
  eventsSent: number;
  deliveries: number;
  bytesSent: number;
  joinedChannels: number;
  helixRequests: number;
  helix429: number;
  tokensIssued: number;
  trafficRunning: boolean;
  messagesPerSecond: number;
}
