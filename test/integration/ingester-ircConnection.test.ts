import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ChatEvent } from '../../core/events/chatEvent.ts';
import { eventId, orphanAnchor } from '../../core/irc/eventId.ts';
import { parseLine } from '../../core/irc/parseLine.ts';
import { createLineCapture } from '../../services/ingester/captureLine.ts';
import { IrcConnection } from '../../services/ingester/ircConnection.ts';
import { parseIrcUrl } from '../../services/ingester/parseIrcUrl.ts';
import { waitFor } from '../helpers/ingesterFixture.ts';

/**
 * A bare IRC-over-WebSocket server: welcomes each client, answers every JOIN with a ROOMSTATE
 * per channel (after `joinDelayMs`) unless it `ignores` that JOIN, and records what happened to
 * each socket and when.
 */
function startServer(
  joinDelayMs: (socketIndex: number) => number = () => 0,
  ignores: (socketIndex: number, channel: string) => boolean = () => false,
) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  const sockets: { ws: WebSocket; joined: Set<string>; joinedAt: number | undefined; closedAt: number | undefined }[] = [];
  wss.on('connection', (ws) => {
    const entry = { ws, joined: new Set<string>(), joinedAt: undefined as number | undefined, closedAt: undefined as number | undefined };
    const index = sockets.length;
    const delayMs = joinDelayMs(index);
    sockets.push(entry);
    ws.on('close', () => (entry.closedAt = performance.now()));
    ws.on('message', (data) => {
      for (const line of (data as Buffer).toString().split('\r\n').filter(Boolean)) {
        if (line.startsWith('NICK')) ws.send(':tmi.twitch.tv 001 justinfan1 :Welcome, GLHF!\r\n:tmi.twitch.tv 376 justinfan1 :>');
        const join = /^JOIN (.+)$/.exec(line);
        if (join) {
          setTimeout(() => {
            if (ws.readyState !== ws.OPEN) return;
            for (const channel of join[1]!.split(',')) {
              if (ignores(index, channel.slice(1))) continue;
              ws.send(`@emote-only=0;room-id=1;slow=0 :tmi.twitch.tv ROOMSTATE ${channel}`);
              entry.joined.add(channel.slice(1));
            }
            entry.joinedAt = performance.now();
          }, delayMs);
        }
      }
    });
  });
  return {
    url: () => `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`,
    sockets,
    close: () => new Promise<void>((resolve) => wss.close(() => resolve())),
  };
}

function connection(
  url: string,
  channels: string[],
  onEvent: (event: ChatEvent) => void = () => undefined,
  join: { timeoutMs: number; maxAttempts: number } = { timeoutMs: 5_000, maxAttempts: 3 },
) {
  // The hold of a capture with replicas: a ROOMSTATE waits for its channel's next timestamped line.
  const capture = createLineCapture({ onEvent, maxHoldMs: 120_000, orphans: true });
  const c = new IrcConnection({
    index: 0,
    capture,
    endpoint: parseIrcUrl(url),
    joinRateCount: 100,
    joinRateWindowMs: 10_000,
    joinRateGuardMs: 0,
    joinTimeoutMs: join.timeoutMs,
    joinMaxAttempts: join.maxAttempts,
    pingIdleMs: 60_000,
    pongTimeoutMs: 10_000,
    connectTimeoutMs: 2_000,
    reconnectBaseMs: 50,
    reconnectMaxMs: 200,
  });
  channels.forEach((login) => c.add(login, 1));
  return { c, capture };
}

const CHANNELS = ['alpha', 'bravo', 'charlie'];

describe('IrcConnection (a bare local IRC server)', () => {
  const servers: { close(): Promise<void> }[] = [];
  after(async () => {
    for (const s of servers) await s.close();
  });

  it('joins every channel once its ROOMSTATE arrives', async () => {
    const server = startServer();
    servers.push(server);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const { c, capture } = connection(server.url(), CHANNELS);
    c.start();
    await waitFor(() => c.joined === 3, 'all three joined');
    assert.equal(c.isUp, true);
    assert.deepEqual([...server.sockets[0]!.joined].sort(), CHANNELS);
    await c.stop();
    capture.drain();
  });

  it('on RECONNECT, joins every channel on a new socket before closing the old one (make before break)', async () => {
    const server = startServer(() => 150);
    servers.push(server);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const { c, capture } = connection(server.url(), CHANNELS);
    c.start();
    await waitFor(() => c.joined === 3, 'all three joined');
    server.sockets[0]!.ws.send(':tmi.twitch.tv RECONNECT');
    await waitFor(() => server.sockets[0]!.closedAt !== undefined, 'the old socket closed');
    const [old, next] = server.sockets;
    assert.ok(next, 'a second socket connected');
    assert.deepEqual([...next.joined].sort(), CHANNELS, 'the replacement joined every channel');
    assert.ok(next.joinedAt! <= old!.closedAt!, 'the old socket closed only after the replacement had joined');
    await waitFor(() => c.joined === 3 && c.isUp, 'the replacement carries the channels');
    await c.stop();
    capture.drain();
  });

  it('after a dropped socket, reconnects and joins every channel again', async () => {
    const server = startServer();
    servers.push(server);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const { c, capture } = connection(server.url(), CHANNELS);
    c.start();
    await waitFor(() => c.joined === 3, 'all three joined');
    server.sockets[0]!.ws.terminate();
    await waitFor(() => server.sockets.length === 2 && server.sockets[1]!.joined.size === 3, 'rejoined on a new socket');
    await waitFor(() => c.joined === 3 && c.isUp, 'up again');
    await c.stop();
    capture.drain();
  });

  it('when the old socket drops during a replacement, the replacement takes over', async () => {
    // The replacement's channels confirm slowly, so the old socket drops while it is still joining.
    const server = startServer((index) => (index === 0 ? 0 : 1500));
    servers.push(server);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const { c, capture } = connection(server.url(), CHANNELS);
    c.start();
    await waitFor(() => c.joined === 3, 'all three joined');
    server.sockets[0]!.ws.send(':tmi.twitch.tv RECONNECT');
    await waitFor(() => server.sockets.length === 2, 'the replacement connected');
    // Its JOIN is out, its ROOMSTATEs 1.5 s away: now the old socket goes.
    await new Promise((resolve) => setTimeout(resolve, 300));
    server.sockets[0]!.ws.terminate();
    await waitFor(() => server.sockets[0]!.closedAt !== undefined && server.sockets[1]!.joined.size === 3, 'the replacement joined');
    await waitFor(() => c.joined === 3 && c.isUp, 'the replacement carries the channels');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(server.sockets.length, 2, 'no third socket: the replacement took over');
    await c.stop();
    capture.drain();
  });

  it('lets go at once, as orphans, of the lines it holds in a channel it PARTs (and of its late lines) or whose socket dropped', async () => {
    // Prepare: each channel's ROOMSTATE is held, waiting for a timestamped line that never comes.
    const server = startServer();
    servers.push(server);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const emitted: ChatEvent[] = [];
    const { c, capture } = connection(server.url(), CHANNELS, (event) => emitted.push(event));
    c.start();
    await waitFor(() => c.joined === 3, 'all three joined');
    assert.equal(capture.heldCount(), 3);
    // Act: PART one channel, then the server drops the socket.
    c.remove('alpha');
    const afterPart = emitted.map((e) => e.channel);
    // A line the server sent before it saw the PART: not read further either.
    server.sockets[0]!.ws.send(`@msg-id=subs_off :tmi.twitch.tv NOTICE #alpha :This room is no longer in subscribers-only mode.`);
    await waitFor(() => emitted.length === 2, 'the late NOTICE let go');
    server.sockets[0]!.ws.terminate();
    await waitFor(() => emitted.length === 4, 'the other two let go');
    // Assess: each went on when its channel stopped being read, with the orphan id of its reading.
    assert.deepEqual(afterPart, ['alpha']);
    assert.deepEqual(emitted.map((e) => e.channel).sort(), ['alpha', ...CHANNELS]);
    for (const event of emitted)
      assert.equal(event.event_id, eventId(parseLine(event.raw), orphanAnchor(event.received_at)), event.channel);
    await c.stop();
    capture.drain();
  });

  it('after a RECONNECT, lets go as orphans of the lines held in channels the replacement could not join', async () => {
    // Prepare: the replacement socket never gets charlie's ROOMSTATE (its JOIN fails).
    const server = startServer(
      () => 0,
      (socket, channel) => socket === 1 && channel === 'charlie',
    );
    servers.push(server);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const emitted: ChatEvent[] = [];
    const { c, capture } = connection(server.url(), CHANNELS, (event) => emitted.push(event), { timeoutMs: 300, maxAttempts: 1 });
    c.start();
    await waitFor(() => c.joined === 3, 'all three joined');
    // Act
    server.sockets[0]!.ws.send(':tmi.twitch.tv RECONNECT');
    await waitFor(() => server.sockets[0]!.closedAt !== undefined, 'the old socket closed');
    // Assess: charlie's ROOMSTATE went on as an orphan; alpha's and bravo's wait on the replacement.
    await waitFor(() => emitted.length === 1, "charlie's held line let go");
    assert.equal(emitted[0]!.channel, 'charlie');
    assert.equal(emitted[0]!.event_id, eventId(parseLine(emitted[0]!.raw), orphanAnchor(emitted[0]!.received_at)));
    await c.stop();
    capture.drain();
  });
});
