import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatEvent } from '../../core/events/chatEvent.ts';
import { normalizeLine } from '../../core/irc/normalizeLine.ts';
import { SqliteChatReader } from '../../core/read/sqliteChatReader.ts';
import { SqliteSink } from '../../core/sinks/sqlite/sqliteSink.ts';
import { createApiServer, type ApiServerOptions } from '../../services/api/createApiServer.ts';

/** Real-looking Twitch lines (shapes from ../shared/testdata/irc/irc-real.txt) at chosen times. */
export const line = {
  privmsg: (o: {
    channel: string;
    roomId: string;
    login: string;
    userId: string;
    text: string;
    at: number;
    id: string;
    display?: string;
  }) =>
    `@badge-info=;badges=;color=#19E6E6;display-name=${o.display ?? o.login};emotes=;flags=;id=${o.id};mod=0;room-id=${o.roomId};subscriber=0;tmi-sent-ts=${o.at};turbo=0;user-id=${o.userId};user-type= :${o.login}!${o.login}@${o.login}.tmi.twitch.tv PRIVMSG #${o.channel} :${o.text}`,
  resub: (o: {
    channel: string;
    roomId: string;
    login: string;
    userId: string;
    text: string | null;
    at: number;
    id: string;
    months: number;
  }) =>
    `@badge-info=subscriber/${o.months};badges=subscriber/12;color=;display-name=${o.login};emotes=;flags=;id=${o.id};login=${o.login};mod=0;msg-id=resub;msg-param-cumulative-months=${o.months};msg-param-sub-plan=1000;room-id=${o.roomId};subscriber=1;system-msg=${o.login}\\ssubscribed\\sat\\sTier\\s1.\\sThey've\\ssubscribed\\sfor\\s${o.months}\\smonths!;tmi-sent-ts=${o.at};user-id=${o.userId};user-type= :tmi.twitch.tv USERNOTICE #${o.channel}${o.text === null ? '' : ` :${o.text}`}`,
  timeout: (o: { channel: string; roomId: string; target: string; targetId: string; seconds: number; at: number }) =>
    `@ban-duration=${o.seconds};room-id=${o.roomId};target-user-id=${o.targetId};tmi-sent-ts=${o.at} :tmi.twitch.tv CLEARCHAT #${o.channel} :${o.target}`,
  ban: (o: { channel: string; roomId: string; target: string; targetId: string; at: number }) =>
    `@room-id=${o.roomId};target-user-id=${o.targetId};tmi-sent-ts=${o.at} :tmi.twitch.tv CLEARCHAT #${o.channel} :${o.target}`,
  clearchat: (o: { channel: string; roomId: string; at: number }) =>
    `@room-id=${o.roomId};tmi-sent-ts=${o.at} :tmi.twitch.tv CLEARCHAT #${o.channel}`,
  clearmsg: (o: { channel: string; login: string; targetId: string; text: string; at: number }) =>
    `@login=${o.login};room-id=;target-msg-id=${o.targetId};tmi-sent-ts=${o.at} :tmi.twitch.tv CLEARMSG #${o.channel} :${o.text}`,
  notice: (o: { channel: string; msgId: string; text: string }) =>
    `@msg-id=${o.msgId} :tmi.twitch.tv NOTICE ${o.channel === '*' ? '*' : `#${o.channel}`} :${o.text}`,
  roomstate: (o: { channel: string; roomId: string }) =>
    `@emote-only=1;followers-only=-1;r9k=0;room-id=${o.roomId};slow=0;subs-only=0 :tmi.twitch.tv ROOMSTATE #${o.channel}`,
};

/** One ChatEvent from a raw line; lines without tmi-sent-ts take `receivedAt` as their time. */
export function eventOf(raw: string, receivedAt: number): ChatEvent {
  const result = normalizeLine(raw, receivedAt);
  if (result.type !== 'event') throw new Error(`fixture line is not an event: ${JSON.stringify(result)}`);
  return result.event;
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  /** The body as sent: not decompressed, not decoded. */
  readonly bytes: Buffer;
  readonly text: string;
}

/**
 * A plain GET (no redirect following, no decompression), so tests see exactly what was sent. One
 * connection per request: a reused keep-alive socket can meet the server's idle close.
 */
export function get(url: string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    request(url, { headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes, text: bytes.toString('utf8') });
      });
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

export interface ReadApiRun {
  readonly url: string;
  readonly path: string;
  close(): Promise<void>;
}

/** Stores `events` through the real SQLite sink in a fresh file and serves it on 127.0.0.1. */
export async function startReadApi(events: readonly ChatEvent[], options: Omit<ApiServerOptions, 'reader'> = {}): Promise<ReadApiRun> {
  const dir = mkdtempSync(join(tmpdir(), 'read-api-'));
  const path = join(dir, 'poglytics.db');
  const sink = new SqliteSink({ sink: 'sqlite', path });
  await sink.write([...events]);
  await sink.close();
  const reader = new SqliteChatReader(path);
  const server = createApiServer({ reader, ...options });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    path,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await reader.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
