import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after } from 'node:test';
import { createChdbConnection } from 'chdb/connection';
import type { ClickHouseSinkConfig } from '../../core/sinks/types.ts';

type ChdbConnection = ReturnType<typeof createChdbConnection>;
type Params = { query: string; clickhouse_settings?: Record<string, unknown>; query_params?: Record<string, unknown>; values?: unknown };

/** One INSERT as the server saw it: its table and the dedup token it carried (undefined: none). */
export interface SeenInsert {
  readonly table: string;
  readonly token: string | undefined;
}

export interface PerRequestChdb {
  /** Pass as `connection` to the ClickHouse sink. */
  readonly connection: ChdbConnection;
  /** Every INSERT in order, with the dedup token it was sent with. */
  readonly inserts: SeenInsert[];
  /**
   * The next INSERT does not reach the server yet and its caller gets a socket error (a response
   * lost to a timeout). The held INSERT lands just before the following INSERT: the first attempt
   * of a retried write is stored after the retry looked for it and before the retry's own insert.
   */
  loseNextInsertResponse(): void;
}

async function readAll(values: unknown): Promise<string> {
  if (typeof values === 'string') return values;
  let body = '';
  for await (const chunk of values as Readable)
    body += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
  return body;
}

/**
 * chdb keeps every `SET` of a request for the rest of its session; a ClickHouse server over HTTP
 * applies settings to one request only. This wraps a chdb connection so that each request starts
 * from the defaults: a setting an earlier request used and this one does not is reset to its
 * default (read from system.settings), so no dedup token can leak from one INSERT to the next.
 */
export function perRequestChdb(path: string): PerRequestChdb {
  const inner = createChdbConnection({ path });
  const defaults = new Map<string, unknown>();
  const inserts: SeenInsert[] = [];
  let loseNext = false;
  let held: Params | undefined;

  const defaultOf = async (name: string): Promise<unknown> => {
    if (defaults.has(name)) return defaults.get(name);
    const result = await inner.query({
      query: 'SELECT default FROM system.settings WHERE name = {name:String} FORMAT JSONEachRow',
      query_params: { name },
    });
    const text = await readAll(result.stream);
    const value = (JSON.parse(text.trim()) as { default: string }).default;
    const typed = /^-?\d+$/.test(value) ? Number(value) : value;
    defaults.set(name, typed);
    return typed;
  };

  /** This request's settings, with every setting seen before and not set now back at its default. */
  const isolate = async (params: Params): Promise<Params> => {
    const own = params.clickhouse_settings ?? {};
    for (const name of Object.keys(own)) await defaultOf(name);
    const reset: Record<string, unknown> = {};
    for (const [name, value] of defaults) if (!(name in own)) reset[name] = value;
    return { ...params, clickhouse_settings: { ...reset, ...own } };
  };

  const runInsert = async (params: Params) => {
    const token = params.clickhouse_settings?.insert_deduplication_token;
    inserts.push({ table: /INSERT INTO\s+(\S+)/i.exec(params.query)?.[1] ?? '?', token: typeof token === 'string' ? token : undefined });
    return inner.insert((await isolate(params)) as never);
  };

  const connection = new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'query' || prop === 'command' || prop === 'exec') {
        return async (params: Params) => (target[prop] as (p: never) => Promise<unknown>).call(target, (await isolate(params)) as never);
      }
      if (prop === 'insert') {
        return async (params: Params) => {
          if (held) {
            const late = held;
            held = undefined;
            await runInsert(late);
          }
          if (loseNext) {
            loseNext = false;
            held = { ...params, values: await readAll(params.values) };
            throw Object.assign(new Error('socket hang up (response lost)'), { code: 'ECONNRESET' });
          }
          return runInsert(params);
        };
      }
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });

  return {
    connection,
    inserts,
    loseNextInsertResponse: () => {
      loseNext = true;
    },
  };
}

/**
 * A scratch chdb database for one test file (chdb allows one on-disk session per process; the
 * file owns it, one connection at a time), removed after the file: a ClickHouse sink config on a
 * fresh per-request connection to it each call.
 */
export function scratchChdbConfig(prefix: string): () => ClickHouseSinkConfig {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return () => ({ sink: 'clickhouse', url: 'http://chdb.local:8123', connection: perRequestChdb(dir).connection });
}
