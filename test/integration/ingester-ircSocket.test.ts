import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { createMetrics } from '../../core/metrics.ts';
import { createLineCapture } from '../../services/ingester/captureLine.ts';
import { DeadLetterJournal } from '../../services/ingester/deadLetterJournal.ts';
import { IrcSocket } from '../../services/ingester/ircSocket.ts';
import { tempDir, waitFor } from '../helpers/ingesterFixture.ts';

/** A bare WebSocket IRC server: welcomes the client, then lets the test send raw frames. */
function startServer() {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  let client: WebSocket | undefined;
  wss.on('connection', (ws) => {
    ws.on('message', (data) => {
      if ((data as Buffer).toString().startsWith('NICK')) {
        client = ws;
        ws.send(':tmi.twitch.tv 001 justinfan1 :Welcome, GLHF!\r\n:tmi.twitch.tv 376 justinfan1 :>');
      }
    });
  });
  return {
    port: () => (wss.address() as AddressInfo).port,
    /** Sends bytes as one text frame, as Twitch does (no UTF-8 check on our side of the test either). */
    sendFrame: (bytes: Buffer) => client!.send(bytes, { binary: false }),
    close: () => new Promise<void>((resolve) => wss.close(() => resolve())),
  };
}

describe('IrcSocket frames', () => {
  const server = startServer();
  const lines: string[] = [];
  const undecodable: Buffer[] = [];
  let socket: IrcSocket;

  before(async () => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket = new IrcSocket({
      endpoint: { server: '127.0.0.1', port: server.port(), secure: false },
      onLine: (line) => lines.push(line),
      onUndecodable: (bytes) => undecodable.push(bytes),
      onDrop: () => {},
      pingIdleMs: 60_000,
      pongTimeoutMs: 10_000,
    });
    await socket.connect(5000);
    lines.length = 0;
  });
  after(async () => {
    await socket.close();
    await server.close();
  });

  it('splits a frame into lines, decodes each on its own, and hands over a line that is not UTF-8 as its exact bytes', async () => {
    // Prepare
    const bad = Buffer.concat([
      Buffer.from('@id=x :a!a@a.tmi.twitch.tv PRIVMSG #c :bad '),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(' bytes'),
    ]);
    const frame = Buffer.concat([
      Buffer.from(':a!a@a.tmi.twitch.tv PRIVMSG #c :plain\r\n'),
      Buffer.from(':a!a@a.tmi.twitch.tv PRIVMSG #c :emote 😀 and é\r\n'),
      bad,
      Buffer.from('\r\n:a!a@a.tmi.twitch.tv PRIVMSG #c :bare\nLF stays\r\n'),
      Buffer.from(':tmi.twitch.tv PONG :last line without CR LF'),
    ]);

    // Act
    server.sendFrame(frame);
    await waitFor(() => lines.length >= 4, 'lines read', 5000);

    // Assess
    assert.deepEqual(lines, [
      ':a!a@a.tmi.twitch.tv PRIVMSG #c :plain',
      ':a!a@a.tmi.twitch.tv PRIVMSG #c :emote 😀 and é',
      ':a!a@a.tmi.twitch.tv PRIVMSG #c :bare\nLF stays',
      ':tmi.twitch.tv PONG :last line without CR LF',
    ]);
    assert.equal(undecodable.length, 1);
    assert.ok(undecodable[0]!.equals(bad), 'the undecodable line is not byte for byte what was sent');
    assert.ok(socket.isOpen, 'invalid UTF-8 closed the connection');
  });

  it('rejects an undecodable line with its offset, counts it and keeps its exact bytes in the dead-letter journal', () => {
    // Prepare
    const dir = tempDir('dead-letter-');
    const metrics = createMetrics(undefined, { defaultMetrics: false });
    const journal = new DeadLetterJournal(dir.path);
    const capture = createLineCapture({ onEvent: () => assert.fail('no event expected'), deadLetter: journal, metrics });
    const bytes = Buffer.concat([Buffer.from(':a!a@a PRIVMSG #c :x'), Buffer.from([0xc3])]);

    // Act
    capture.rejectBytes(bytes, 1_700_000_000_000, 3);

    // Assess
    const kept = JSON.parse(readFileSync(journal.path, 'utf8').trim()) as { reason: string; raw_base64: string; connection: number };
    dir.remove();
    assert.equal(kept.reason, 'invalid UTF-8 at byte 21');
    assert.equal(kept.connection, 3);
    assert.ok(Buffer.from(kept.raw_base64, 'base64').equals(bytes));
    assert.equal(capture.totals.rejects, 1);
  });
});
