import type { Server } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import type { ChannelCatalog } from './createChannelCatalog.ts';
import { createClientLineHandler } from './createClientLineHandler.ts';
import type { GroundTruth } from './createGroundTruth.ts';
import { createJoinRateLimiter } from './createJoinRateLimiter.ts';
import { createSubscriptions } from './createSubscriptions.ts';
import type { TrafficGenerator } from './createTrafficGenerator.ts';
import { encodeFrame } from './encodeFrame.ts';
import { ircReplies } from './ircReplies.ts';
import { newIrcSession, type IrcSession } from './ircSession.ts';
import type { ConnectionInfo, GeneratedLine, SendCause, SimulatorOptions } from './types.ts';

export interface IrcCounters {
  connectionsTotal: number;
  droppedSlowReaders: number;
  droppedJoinLimit: number;
  eventsSent: number;
  deliveries: number;
  bytesSent: number;
}

export interface IrcServer {
  readonly counters: IrcCounters;
  /** Channels (catalog indices) that at least one connection has joined. */
  subscribedChannels(): number;
  hasSubscribers(channelIndex: number): boolean;
  /** Sends generated lines to the connections that joined their channels, one frame per connection. */
  deliver(lines: readonly GeneratedLine[], cause: SendCause): void;
  /** Drops connections whose unsent backlog exceeds the limit. */
  dropSlowReaders(): void;
  connections(): ConnectionInfo[];
  injectReconnect(target?: { connectionId?: number; graceMs?: number }): number;
  injectDisconnect(target?: { connectionId?: number }): number;
  setJoinLimit(limit: { count: number; windowMs: number } | null): void;
  setChannelStatus(channel: string, status: 'ok' | 'suspended' | 'banned'): void;
  close(): Promise<void>;
}

export function createIrcServer(deps: {
  httpServer: Server;
  options: SimulatorOptions;
  catalog: ChannelCatalog;
  generator: TrafficGenerator;
  groundTruth: GroundTruth;
}): IrcServer {
  const { options, catalog, generator, groundTruth } = deps;
  const sessions = new Map<number, IrcSession>();
  const subscriptions = createSubscriptions();
  const channelStatus = new Map<string, 'suspended' | 'banned'>();
  for (const c of options.suspendedChannels) channelStatus.set(c.toLowerCase().replace(/^#/, ''), 'suspended');
  for (const c of options.bannedChannels) channelStatus.set(c.toLowerCase().replace(/^#/, ''), 'banned');
  let joinLimit = options.joinLimit;
  let nextId = 1;
  const timers = new Set<NodeJS.Timeout>();
  const counters: IrcCounters = {
    connectionsTotal: 0,
    droppedSlowReaders: 0,
    droppedJoinLimit: 0,
    eventsSent: 0,
    deliveries: 0,
    bytesSent: 0,
  };

  const wss = new WebSocketServer({
    server: deps.httpServer,
    perMessageDeflate: false,
    // Twitch speaks the `irc` subprotocol; a client that offers none is still served.
    handleProtocols: (protocols) => (protocols.has('irc') ? 'irc' : false),
  });

  function send(session: IrcSession, lines: readonly string[]): void {
    if (session.closed || session.ws.readyState !== WebSocket.OPEN || lines.length === 0) return;
    const frame = encodeFrame(lines);
    counters.bytesSent += frame.length;
    session.ws.send(frame, { binary: false });
  }

  function drop(session: IrcSession): void {
    if (session.closed) return;
    subscriptions.removeAll(session);
    session.closed = true;
    session.ws.terminate();
  }

  function recordAndSend(session: IrcSession, replies: string[], event: GeneratedLine | null, channel: string, cause: SendCause): void {
    if (event !== null) {
      groundTruth.record({
        eventId: event.eventId,
        kind: event.kind,
        subtype: event.subtype,
        channel,
        connectionIds: [session.id],
        raw: event.line,
        sentAt: options.now(),
        cause,
      });
      session.eventsSent++;
      counters.eventsSent++;
      counters.deliveries++;
    }
    send(session, replies);
  }

  function handleJoin(session: IrcSession, target: string): void {
    const nick = session.nick as string;
    for (const raw of target.split(',')) {
      const login = raw.trim().toLowerCase().replace(/^#/, '');
      if (login.length === 0) continue;
      if (!session.joinLimiter.tryJoin(options.now())) {
        counters.droppedJoinLimit++;
        drop(session);
        return;
      }
      const channel = catalog.byLogin.get(login);
      const status = channelStatus.get(login) ?? (channel === undefined ? 'suspended' : undefined);
      if (status !== undefined || channel === undefined) {
        const line = status === 'banned' ? ircReplies.channelBanned(login) : ircReplies.channelSuspended(login);
        const event: GeneratedLine = {
          channelIndex: -1,
          kind: 'notice',
          subtype: status === 'banned' ? 'msg_banned' : 'msg_channel_suspended',
          eventId: null,
          line,
        };
        recordAndSend(session, [line], event, login, 'join');
        continue;
      }
      const replies = [ircReplies.join(nick, login), ...ircReplies.names(nick, login)];
      if (!session.caps.commands) {
        send(session, replies);
        continue;
      }
      if (!session.anonymous) replies.push(ircReplies.userState(nick, login));
      const roomState = generator.roomStateLine(channel.index);
      replies.push(session.caps.tags ? roomState : roomState.slice(roomState.indexOf(' ') + 1));
      subscriptions.add(session, channel.index);
      groundTruth.recordJoin({ connectionId: session.id, channel: login, joinedAt: options.now() });
      recordAndSend(
        session,
        replies,
        { channelIndex: channel.index, kind: 'roomstate', subtype: null, eventId: null, line: roomState },
        login,
        'join',
      );
    }
  }

  function handlePart(session: IrcSession, target: string): void {
    const nick = session.nick as string;
    const replies: string[] = [];
    for (const raw of target.split(',')) {
      const login = raw.trim().toLowerCase().replace(/^#/, '');
      const channel = catalog.byLogin.get(login);
      if (channel !== undefined) subscriptions.remove(session, channel.index);
      if (login.length > 0) replies.push(ircReplies.part(nick, login));
    }
    send(session, replies);
  }

  const handleLine = createClientLineHandler({ send, drop, join: handleJoin, part: handlePart });

  wss.on('connection', (ws) => {
    const session = newIrcSession(nextId++, ws, joinLimit, options.now());
    sessions.set(session.id, session);
    counters.connectionsTotal++;
    ws.on('message', (data) => {
      session.lastActivity = performance.now();
      // The server keeps ws's default binaryType, so a frame is one Buffer.
      const text = (data as Buffer).toString();
      for (const raw of text.split(/\r?\n/)) if (raw.length > 0 && !session.closed) handleLine(session, raw);
    });
    ws.on('close', () => {
      subscriptions.removeAll(session);
      session.closed = true;
      sessions.delete(session.id);
    });
    ws.on('error', () => drop(session));
  });

  const liveness = setInterval(
    () => {
      const now = performance.now();
      for (const session of sessions.values()) {
        if (session.closed) continue;
        if (session.awaitingPongSince !== null) {
          if (now - session.awaitingPongSince > options.pongTimeoutMs) drop(session);
        } else if (now - session.lastActivity >= options.pingIntervalMs) {
          session.awaitingPongSince = now;
          send(session, [ircReplies.ping()]);
        }
      }
    },
    Math.max(10, Math.min(1000, options.pingIntervalMs / 2, options.pongTimeoutMs / 2)),
  );
  liveness.unref();

  function targets(connectionId: number | undefined): IrcSession[] {
    return [...sessions.values()].filter((s) => !s.closed && (connectionId === undefined || s.id === connectionId));
  }

  return {
    counters,
    subscribedChannels: () => subscriptions.size,
    hasSubscribers: (index) => subscriptions.sessionsOf(index) !== undefined,
    deliver(lines, cause) {
      const now = options.now();
      const touched: IrcSession[] = [];
      for (const generated of lines) {
        const list = subscriptions.sessionsOf(generated.channelIndex) ?? [];
        const connectionIds: number[] = [];
        const needsCommands = generated.kind !== 'message';
        for (const session of list) {
          if (session.closed || (needsCommands && !session.caps.commands)) continue;
          connectionIds.push(session.id);
          if (session.pending.length === 0) touched.push(session);
          session.pending.push(session.caps.tags ? generated.line : generated.line.slice(generated.line.indexOf(' ') + 1));
          session.eventsSent++;
        }
        const channel = catalog.channels[generated.channelIndex]?.login ?? '';
        const { eventId, kind, subtype, line: raw } = generated;
        const record = { eventId, kind, subtype, channel, connectionIds, raw, sentAt: now, cause };
        if (connectionIds.length === 0) {
          // Sent to nobody: a capture gap, which only the ground truth can show.
          if (options.groundTruth.recordUndelivered) groundTruth.record(record);
          continue;
        }
        counters.eventsSent++;
        counters.deliveries += connectionIds.length;
        groundTruth.record(record);
      }
      for (const session of touched) {
        send(session, session.pending);
        session.pending = [];
      }
    },
    dropSlowReaders() {
      for (const session of sessions.values()) {
        if (!session.closed && session.ws.bufferedAmount > options.maxBufferedBytes) {
          counters.droppedSlowReaders++;
          drop(session);
        }
      }
    },
    connections: () =>
      [...sessions.values()].map((s) => ({
        id: s.id,
        nick: s.nick,
        anonymous: s.anonymous,
        channels: [...s.channels].map((i) => catalog.channels[i]?.login ?? ''),
        connectedAt: s.connectedAt,
        eventsSent: s.eventsSent,
        bufferedAmount: s.ws.bufferedAmount,
      })),
    injectReconnect(target = {}) {
      const affected = targets(target.connectionId);
      for (const session of affected) {
        send(session, [ircReplies.reconnect()]);
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!session.closed) {
            subscriptions.removeAll(session);
            session.closed = true;
            session.ws.close();
          }
        }, target.graceMs ?? options.reconnectGraceMs);
        timers.add(timer);
      }
      return affected.length;
    },
    injectDisconnect(target = {}) {
      const affected = targets(target.connectionId);
      for (const session of affected) drop(session);
      return affected.length;
    },
    setJoinLimit(limit) {
      joinLimit = limit;
      for (const session of sessions.values()) session.joinLimiter = createJoinRateLimiter(limit);
    },
    setChannelStatus(channel, status) {
      const login = channel.toLowerCase().replace(/^#/, '');
      if (status === 'ok') channelStatus.delete(login);
      else channelStatus.set(login, status);
    },
    async close() {
      clearInterval(liveness);
      for (const timer of timers) clearTimeout(timer);
      for (const session of sessions.values()) {
        session.closed = true;
        session.ws.terminate();
      }
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
