import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatEvent } from '../../core/events/chatEvent.ts';
import { normalizeLine } from '../../core/irc/normalizeLine.ts';
import { SqliteChatReader } from '../../core/read/sqliteChatReader.ts';
import { createChatReader } from '../../core/read/createChatReader.ts';
import { CLICKHOUSE_READER, SqlChatReader } from '../../core/read/sqlChatReader.ts';
import type { ChatReader } from '../../core/read/types.ts';
import { createSink } from '../../core/sinks/createSink.ts';
import { SqliteSink } from '../../core/sinks/sqlite/sqliteSink.ts';
import type { Sink } from '../../core/sinks/types.ts';
import { createClient } from '@clickhouse/client';
import pg from 'pg';
import { after } from 'node:test';
import { perRequestChdb } from './perRequestChdb.ts';
import { startScratchPostgres, type ScratchPostgres } from './postgres.ts';
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

/** Which sink the read API tests store into and read from: READ_API_SINK (default sqlite). */
type FixtureSink = 'sqlite' | 'postgres' | 'clickhouse';
const SINK = (process.env.READ_API_SINK ?? 'sqlite') as FixtureSink;
/** The sink this process's read API tests run on (tests of one engine's own index skip the others). */
export const readApiSink: FixtureSink = SINK;
let postgres: Promise<ScratchPostgres> | undefined;
let chdbDir: string | undefined;
let chdb: ReturnType<typeof perRequestChdb>['connection'] | undefined;
let runs = 0;
// The scratch cluster and the chdb folder outlive each run, not the test file.
after(async () => {
  await (await postgres)?.close();
  if (chdbDir) rmSync(chdbDir, { recursive: true, force: true });
});

/** A fresh, empty store of the chosen kind: a file, a database on one scratch cluster, or a database in this process's chdb. */
async function freshSink(dir: string): Promise<{ sink: Sink; reader: () => ChatReader; drop: () => Promise<void> }> {
  const n = ++runs;
  if (SINK === 'postgres') {
    postgres ??= startScratchPostgres();
    const server = await postgres;
    const admin = new pg.Client(server.url);
    await admin.connect();
    await admin.query(`CREATE DATABASE read_api_${n}`);
    await admin.end();
    const url = Object.assign(new URL(server.url), { pathname: `/read_api_${n}` }).toString();
    // The reader logs in as the read service does on AWS: a role that may only SELECT (what the writer creates later included).
    const owner = new pg.Client(url);
    await owner.connect();
    await owner.query(`CREATE ROLE reader_${n} LOGIN`);
    await owner.query(`GRANT USAGE ON SCHEMA public TO reader_${n}`);
    await owner.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO reader_${n}`);
    await owner.end();
    const readerUrl = Object.assign(new URL(url), { username: `reader_${n}` }).toString();
    return {
      sink: createSink({ sink: 'postgres', connectionString: url }),
      reader: () => createChatReader({ sink: 'postgres', connectionString: readerUrl }),
      drop: async () => {},
    };
  }
  if (SINK === 'clickhouse') {
    // chdb keeps one on-disk session (and one database) per process: each run empties it first,
    // so the sink's migrations build the layout afresh.
    chdbDir ??= mkdtempSync(join(tmpdir(), 'read-api-chdb-'));
    chdb ??= perRequestChdb(chdbDir).connection;
    const connection = chdb;
    const raw = createClient({
      url: 'http://chdb.local:8123',
      connection: connection as never,
      compression: { request: false, response: false },
    });
    const answer = await raw.query({
      query: 'SELECT name, engine FROM system.tables WHERE database = currentDatabase()',
      format: 'JSONEachRow',
    });
    const tables = await answer.json<{ name: string; engine: string }>();
    // Views first: they depend on the tables.
    for (const t of tables.sort((a, b) => Number(b.engine === 'View') - Number(a.engine === 'View')))
      await raw.command({ query: `DROP ${t.engine === 'View' ? 'VIEW' : 'TABLE'} IF EXISTS ${t.name}` });
    // Closing a sink would close the process's one chdb connection: the writer and the reader
    // share one sink, left open.
    const sink = createSink({ sink: 'clickhouse', url: 'http://chdb.local:8123', connection });
    const kept: Sink = {
      ...sink,
      name: sink.name,
      migrate: () => sink.migrate(),
      write: (e) => sink.write(e),
      query: (q, p) => sink.query(q, p),
      close: async () => {},
    };
    return { sink: kept, reader: () => new SqlChatReader(kept, CLICKHOUSE_READER), drop: async () => {} };
  }
  const path = join(dir, 'poglytics.db');
  return { sink: new SqliteSink({ sink: 'sqlite', path }), reader: () => new SqliteChatReader(path), drop: async () => {} };
}

/**
 * Stores `events` through the real sink (READ_API_SINK, default SQLite in a fresh file), then
 * runs `afterWrite` on that sink (a state the writer does not make, such as unmerged copies),
 * and serves it on 127.0.0.1.
 */
export async function startReadApi(
  events: readonly ChatEvent[],
  options: Omit<ApiServerOptions, 'reader'> = {},
  afterWrite?: (sink: Sink) => Promise<void>,
): Promise<ReadApiRun> {
  const dir = mkdtempSync(join(tmpdir(), 'read-api-'));
  const path = join(dir, 'poglytics.db');
  const store = await freshSink(dir);
  await store.sink.write([...events]);
  await afterWrite?.(store.sink);
  await store.sink.close();
  const reader = store.reader();
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
      await store.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
