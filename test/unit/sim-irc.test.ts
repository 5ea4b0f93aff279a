import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { startSimulator, type Simulator } from '../../services/twitch-sim/startSimulator.ts';
import type { SimulatorOptionsInput } from '../../services/twitch-sim/types.ts';

interface RawClient {
  ws: WebSocket;
  lines: string[];
  frames: number;
  /** Resolves with the close code once the socket closes. */
  closed: Promise<number>;
  /** Fails the test when the server has not closed the socket within `timeoutMs` (never hangs). */
  expectClosed(what: string, timeoutMs?: number): Promise<number>;
  send(...lines: string[]): void;
  waitFor(what: string, predicate: (lines: string[]) => boolean, timeoutMs?: number): Promise<void>;
}

async function rawClient(sim: Simulator, nick = 'justinfan12345', pass: string | null = 'SCHMOOPIIE'): Promise<RawClient> {
  const ws = new WebSocket(sim.ircUrl, 'irc');
  const client: RawClient = {
    ws,
    lines: [],
    frames: 0,
    closed: new Promise((resolve) => ws.once('close', (code) => resolve(code))),
    async expectClosed(what, timeoutMs = 5000) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out waiting for the server to close the connection (${what})`)), timeoutMs);
      });
      try {
        return await Promise.race([client.closed, timedOut]);
      } finally {
        clearTimeout(timer);
      }
    },
    send: (...lines) => ws.send(lines.join('\r\n')),
    async waitFor(what, predicate, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(client.lines)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${client.lines.slice(-5).join(' | ')}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
  ws.on('message', (data) => {
    client.frames++;
    client.lines.push(
      ...(data as Buffer)
        .toString()
        .split('\r\n')
        .filter((l) => l.length > 0),
    );
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  assert.equal(ws.protocol, 'irc');
  client.send('CAP REQ :twitch.tv/tags twitch.tv/commands twitch.tv/membership', ...(pass ? [`PASS ${pass}`] : []), `NICK ${nick}`);
  return client;
}

/** Polls `condition` for at most `timeoutMs`; fails with `what` instead of hanging. */
async function until(what: string, condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const started: Simulator[] = [];
async function sim(options: SimulatorOptionsInput = {}): Promise<Simulator> {
  const s = await startSimulator({ channels: 30, trafficAutoStart: false, ...options });
  started.push(s);
  return s;
}

describe('the simulator IRC server', () => {
  after(async () => {
    await Promise.all(started.map((s) => s.close()));
  });

  it('greets like Twitch: CAP ACK, numerics 001-004 and 375/372/376', async () => {
    const s = await sim();
    const c = await rawClient(s);
    await c.waitFor('376', (l) => l.some((x) => x.includes(' 376 ')));
    assert.equal(c.lines[0], ':tmi.twitch.tv CAP * ACK :twitch.tv/tags twitch.tv/commands twitch.tv/membership');
    assert.deepEqual(
      c.lines.slice(1).map((l) => l.split(' ')[1]),
      ['001', '002', '003', '004', '375', '372', '376'],
    );
    assert.equal(c.lines[1], ':tmi.twitch.tv 001 justinfan12345 :Welcome, GLHF!');
    c.ws.close();
  });

  it('answers a comma-separated JOIN per channel with JOIN, 353, 366 and ROOMSTATE, and sends traffic only for joined channels', async () => {
    const s = await sim();
    const [a, b, other] = s.channels;
    const c = await rawClient(s);
    c.send(`JOIN #${a?.login},#${b?.login}`);
    await c.waitFor('two ROOMSTATEs', (l) => l.filter((x) => x.includes(' ROOMSTATE ')).length === 2);
    const forA = c.lines.filter((l) => l.endsWith(`#${a?.login}`) || l.includes(`#${a?.login} `));
    assert.deepEqual(
      forA.map((l) => l.split(' ').find((w) => /^(JOIN|353|366|ROOMSTATE)$/.test(w))),
      ['JOIN', '353', '366', 'ROOMSTATE'],
    );
    assert.match(forA[3] ?? '', new RegExp(`room-id=${a?.id}`));
    s.tick(2000);
    await c.waitFor('traffic', (l) => l.some((x) => x.includes(' PRIVMSG ')));
    assert.ok(!c.lines.some((l) => l.includes(`#${other?.login}`)), 'nothing from a channel not joined');
    const counts = s.groundTruth.counts();
    assert.equal(
      counts.byConnection[s.connections()[0]!.id],
      c.lines.filter((l) => /^@.* (PRIVMSG|USERNOTICE|CLEARCHAT|CLEARMSG|ROOMSTATE|NOTICE) /.test(l)).length,
    );
    c.send(`PART #${a?.login}`);
    await c.waitFor('PART echo', (l) => l.some((x) => x.endsWith(`PART #${a?.login}`)));
    const before = c.lines.length;
    s.tick(2000);
    await c.waitFor('more traffic', (l) => l.length > before);
    assert.ok(!c.lines.slice(before).some((l) => l.includes(`#${a?.login}`)), 'nothing after PART');
    c.ws.close();
  });

  it('batches the lines of one tick into one WebSocket frame separated by CRLF', async () => {
    const s = await sim({ channels: 1 });
    const c = await rawClient(s);
    c.send(`JOIN #${s.channels[0]?.login}`);
    await c.waitFor('ROOMSTATE', (l) => l.some((x) => x.includes(' ROOMSTATE ')));
    const frames = c.frames;
    const lines = c.lines.length;
    const sent = s.tick(50);
    await c.waitFor('the batch', (l) => l.length >= lines + sent);
    assert.equal(c.frames, frames + 1);
  });

  it('drops a connection that exceeds the JOIN rate limit', async () => {
    const s = await sim({ joinLimit: { count: 3, windowMs: 10_000 } });
    const c = await rawClient(s);
    await c.waitFor('welcome', (l) => l.some((x) => x.includes(' 376 ')));
    c.send(...s.channels.slice(0, 3).map((ch) => `JOIN #${ch.login}`));
    await c.waitFor('3 ROOMSTATEs', (l) => l.filter((x) => x.includes(' ROOMSTATE ')).length === 3);
    c.send(`JOIN #${s.channels[3]?.login}`);
    await c.closed;
    assert.equal(s.stats().droppedJoinLimit, 1);
  });

  it('answers a JOIN of a suspended, banned or unknown channel with a NOTICE and no ROOMSTATE', async () => {
    const s = await sim({ suspendedChannels: ['gone_channel'] });
    s.setChannelStatus(s.channels[0]!.login, 'banned');
    const c = await rawClient(s);
    c.send('JOIN #gone_channel', `JOIN #${s.channels[0]?.login}`, 'JOIN #no_such_channel_x');
    await c.waitFor('3 NOTICEs', (l) => l.filter((x) => x.includes(' NOTICE ')).length === 3);
    assert.ok(
      c.lines.includes(
        '@msg-id=msg_channel_suspended :tmi.twitch.tv NOTICE #gone_channel :This channel does not exist or has been suspended.',
      ),
    );
    assert.ok(c.lines.some((l) => l.startsWith('@msg-id=msg_banned ')));
    assert.ok(c.lines.some((l) => l.startsWith('@msg-id=msg_channel_suspended ') && l.includes('#no_such_channel_x')));
    assert.ok(!c.lines.some((l) => l.includes(' ROOMSTATE ')));
    assert.equal(s.groundTruth.counts().byKind.notice, 3);
    c.ws.close();
  });

  it('sends RECONNECT and closes the connection after the grace period', async () => {
    const s = await sim({ reconnectGraceMs: 100 });
    const c = await rawClient(s);
    await c.waitFor('welcome', (l) => l.some((x) => x.includes(' 376 ')));
    assert.equal(s.injectReconnect(), 1);
    await c.waitFor('RECONNECT', (l) => l.includes(':tmi.twitch.tv RECONNECT'));
    const reconnectAt = Date.now();
    await c.expectClosed('after the RECONNECT grace period');
    assert.ok(Date.now() - reconnectAt >= 50, 'closed before the grace period');
    await until('the server to forget the connection', () => s.connections().length === 0);
  });

  it('drops connections abruptly on demand', async () => {
    const s = await sim();
    const c = await rawClient(s);
    await c.waitFor('welcome', (l) => l.some((x) => x.includes(' 376 ')));
    assert.equal(s.injectDisconnect({ connectionId: s.connections()[0]!.id }), 1);
    await c.expectClosed('an injected disconnect');
    assert.ok(!c.lines.includes(':tmi.twitch.tv RECONNECT'), 'an abrupt drop sends no RECONNECT');
    await until('the server to forget the connection', () => s.connections().length === 0);
  });

  it('PINGs an idle client, drops it without PONG, and answers client PINGs', async () => {
    const s = await sim({ pingIntervalMs: 100, pongTimeoutMs: 100 });
    const c = await rawClient(s);
    c.send('PING :hello');
    await c.waitFor('PONG', (l) => l.includes(':tmi.twitch.tv PONG tmi.twitch.tv :hello'));
    c.send('PING');
    await c.waitFor('bare PONG', (l) => l.includes('PONG :tmi.twitch.tv'));
    await c.waitFor('server PING', (l) => l.includes('PING :tmi.twitch.tv'));
    await c.expectClosed('no PONG to the server PING');
    await until('the server to forget the connection', () => s.connections().length === 0);
  });

  it('rejects a non-anonymous login without an oauth token', async () => {
    const s = await sim();
    const c = await rawClient(s, 'someuser', null);
    await c.waitFor('NOTICE', (l) => l.includes(':tmi.twitch.tv NOTICE * :Improperly formatted auth'));
    await c.expectClosed('a refused login');
    assert.ok(!c.lines.some((l) => l.includes(' 001 ')), 'a refused login is never welcomed');
  });

  it('drops a reader that falls too far behind', async () => {
    const s = await sim({ channels: 1, maxBufferedBytes: 64 * 1024 });
    const c = await rawClient(s);
    c.send(`JOIN #${s.channels[0]?.login}`);
    await c.waitFor('ROOMSTATE', (l) => l.some((x) => x.includes(' ROOMSTATE ')));
    // Stop reading: the server's socket buffer fills up.
    (c.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    for (let i = 0; i < 200 && s.stats().droppedSlowReaders === 0; i++) {
      s.tick(2000);
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.equal(s.stats().droppedSlowReaders, 1);
    assert.equal(s.connections().length, 0);
    c.ws.terminate();
  });
});
