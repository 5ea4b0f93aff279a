import type { WebSocket } from 'ws';
import { createJoinRateLimiter, type JoinRateLimiter } from './createJoinRateLimiter.ts';

/** One client connection and what Twitch remembers about it. */
export interface IrcSession {
  id: number;
  ws: WebSocket;
  nick: string | null;
  pass: string | null;
  registered: boolean;
  anonymous: boolean;
  caps: { tags: boolean; commands: boolean; membership: boolean };
  /** Catalog indices of the channels this connection has joined (ROOMSTATE sent). */
  channels: Set<number>;
  joinLimiter: JoinRateLimiter;
  connectedAt: number;
  /** Monotonic time of the last line from the client. */
  lastActivity: number;
  awaitingPongSince: number | null;
  /** Traffic lines queued during a tick, sent as one frame at its end. */
  pending: string[];
  eventsSent: number;
  closed: boolean;
}

/** A connection that just opened: not registered, anonymous until PASS says otherwise, no caps, no channels. */
export function newIrcSession(
  id: number,
  ws: WebSocket,
  joinLimit: Parameters<typeof createJoinRateLimiter>[0],
  connectedAt: number,
): IrcSession {
  return {
    id,
    ws,
    nick: null,
    pass: null,
    registered: false,
    anonymous: true,
    caps: { tags: false, commands: false, membership: false },
    channels: new Set(),
    joinLimiter: createJoinRateLimiter(joinLimit),
    connectedAt,
    lastActivity: performance.now(),
    awaitingPongSince: null,
    pending: [],
    eventsSent: 0,
    closed: false,
  };
}
