import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createChannelCatalog } from './createChannelCatalog.ts';
import { createControlApi } from './createControlApi.ts';
import { createGroundTruth, type GroundTruth } from './createGroundTruth.ts';
import { createHelixApi } from './createHelixApi.ts';
import { createIrcServer } from './createIrcServer.ts';
import { createOAuthApi } from './createOAuthApi.ts';
import { createPrng } from './createPrng.ts';
import { createStreamDirectory, type StreamDirectory } from './createStreamDirectory.ts';
import { createTokenStore } from './createTokenStore.ts';
import { createTrafficGenerator } from './createTrafficGenerator.ts';
import { createTrafficLoop } from './createTrafficLoop.ts';
import { sendJson } from './httpResponses.ts';
import { resolveSimulatorOptions } from './resolveSimulatorOptions.ts';
import type { ConnectionInfo, GeneratedLine, SimChannel, SimStats, SimulatorOptions, SimulatorOptionsInput } from './types.ts';

export interface Simulator {
  /** ws://127.0.0.1:PORT — IRC over WebSocket (subprotocol `irc`). */
  readonly ircUrl: string;
  readonly httpUrl: string;
  /** `${httpUrl}/helix` */
  readonly helixUrl: string;
  /** `${httpUrl}/oauth2` */
  readonly authUrl: string;
  readonly port: number;
  readonly options: SimulatorOptions;
  /** The simulated channels, biggest first. */
  readonly channels: readonly SimChannel[];
  readonly groundTruth: GroundTruth;
  /** Helix's live streams: take channels offline, change viewers. */
  readonly streams: Pick<StreamDirectory, 'setLive' | 'setViewers'>;
  startTraffic(): void;
  stopTraffic(): void;
  /** Generates `draws` events at once (deterministic; works with traffic stopped); returns lines sent. */
  tick(draws: number): number;
  setRate(messagesPerSecond: number): void;
  /** RECONNECT to one connection (or all), closing it after the grace period; returns how many. */
  injectReconnect(target?: { connectionId?: number; graceMs?: number }): number;
  /** Drops one connection (or all) without a word; returns how many. */
  injectDisconnect(target?: { connectionId?: number }): number;
  setJoinLimit(limit: { count: number; windowMs: number } | null): void;
  setChannelStatus(channel: string, status: 'ok' | 'suspended' | 'banned'): void;
  /** Expires every OAuth token issued so far. */
  expireTokens(): void;
  connections(): ConnectionInfo[];
  /** Whether any connection has joined the channel (by login) right now. */
  isJoined(login: string): boolean;
  /** Sends one given line (e.g. a chat message from a chosen user) to the connections that joined `channel`; false when none did. */
  sendLine(channel: string, line: string, kind?: GeneratedLine['kind']): boolean;
  stats(): SimStats;
  close(): Promise<void>;
}

/** Starts the Twitch simulator: IRC (WebSocket), Helix, OAuth and /_sim control on one HTTP server. */
export async function startSimulator(input: SimulatorOptionsInput = {}): Promise<Simulator> {
  const options = resolveSimulatorOptions(input);
  const catalog = createChannelCatalog({ ...options, now: options.now() });
  const generator = createTrafficGenerator({
    seed: options.seed,
    catalog,
    mix: options.mix,
    maxGiftWave: options.maxGiftWave,
    sharedChatFraction: options.sharedChatFraction,
  });
  const groundTruth = createGroundTruth(options.groundTruth);
  const tokens = createTokenStore({ prng: createPrng(options.seed ^ 0x70c3), ttlMs: options.helix.tokenTtlMs, now: options.now });
  const directory = createStreamDirectory({ catalog, liveChannels: options.helix.liveChannels, prng: createPrng(options.seed ^ 0x5417) });
  const helix = createHelixApi({ options: options.helix, tokens, directory, catalog, now: options.now });
  const oauth = createOAuthApi({ options: options.helix, tokens, now: options.now });
  let simulator: Simulator | null = null;
  const control = createControlApi(() => simulator as Simulator);

  const httpServer = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    void (async () => {
      try {
        if (helix.handle(req, res, url)) return;
        if (await oauth.handle(req, res, url)) return;
        if (control.handle(req, res, url)) return;
        sendJson(res, 404, { error: 'Not Found', status: 404, message: 'Not Found' });
      } catch (error) {
        if (!res.headersSent) sendJson(res, 500, { error: 'Internal Server Error', status: 500, message: (error as Error).message });
        else res.destroy();
      }
    })();
  });
  httpServer.keepAliveTimeout = 5_000;
  const irc = createIrcServer({ httpServer, options, catalog, generator, groundTruth });
  const loop = createTrafficLoop({
    seed: options.seed,
    tickMs: options.tickMs,
    rate: options.messagesPerSecond,
    catalog,
    generator,
    irc,
    now: options.now,
    generateUnjoined: options.groundTruth.recordUndelivered === true,
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port, options.host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const { port } = httpServer.address() as AddressInfo;
  const httpUrl = `http://${options.host}:${port}`;
  if (options.trafficAutoStart) loop.start();

  let closed = false;
  simulator = {
    ircUrl: `ws://${options.host}:${port}`,
    httpUrl,
    helixUrl: `${httpUrl}/helix`,
    authUrl: `${httpUrl}/oauth2`,
    port,
    options,
    channels: catalog.channels,
    groundTruth,
    streams: { setLive: directory.setLive, setViewers: directory.setViewers },
    startTraffic: () => loop.start(),
    stopTraffic: () => loop.stop(),
    tick: (draws) => loop.tick(draws),
    setRate: (rate) => loop.setRate(rate),
    injectReconnect: (target) => irc.injectReconnect(target),
    injectDisconnect: (target) => irc.injectDisconnect(target),
    setJoinLimit: (limit) => irc.setJoinLimit(limit),
    setChannelStatus: (channel, status) => irc.setChannelStatus(channel, status),
    expireTokens: () => tokens.expireAll(),
    connections: () => irc.connections(),
    sendLine: (login, line, kind = 'message') => {
      const channel = catalog.channels.find((c) => c.login === login);
      if (channel === undefined || !irc.hasSubscribers(channel.index)) return false;
      irc.deliver(
        [{ channelIndex: channel.index, kind, subtype: null, eventId: /(?:^@|;)id=([^; ]+)/.exec(line)?.[1] ?? null, line }],
        'control',
      );
      return true;
    },
    isJoined: (login) => {
      const channel = catalog.channels.find((c) => c.login === login);
      return channel !== undefined && irc.hasSubscribers(channel.index);
    },
    stats: () => ({
      connections: irc.connections().length,
      connectionsTotal: irc.counters.connectionsTotal,
      droppedSlowReaders: irc.counters.droppedSlowReaders,
      droppedJoinLimit: irc.counters.droppedJoinLimit,
      linesGenerated: loop.linesGenerated,
      eventsSent: irc.counters.eventsSent,
      deliveries: irc.counters.deliveries,
      bytesSent: irc.counters.bytesSent,
      joinedChannels: irc.subscribedChannels(),
      helixRequests: helix.requests,
      helix429: helix.rejected429,
      tokensIssued: tokens.issued,
      trafficRunning: loop.running,
      messagesPerSecond: loop.rate,
    }),
    async close() {
      if (closed) return;
      closed = true;
      loop.stop();
      await irc.close();
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      await groundTruth.close();
    },
  };
  return simulator;
}

export type { SimulatorOptions, SimulatorOptionsInput } from './types.ts';
