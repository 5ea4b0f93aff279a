import type { ChatEventKind } from '../events/chatEvent.ts';
import type { Sink } from '../sinks/types.ts';
import type { ChannelRef, ChatReader, EventRange, ReadScope, StoredEvent } from './types.ts';

/** How an engine spells what the reader asks of chat_events. */
export interface ReaderDialect {
  /** The n-th (1-based) placeholder, typed for the engine: a text, or milliseconds since the epoch. */
  param(n: number, type: 'text' | 'ms'): string;
  /** sent_at as milliseconds since the epoch. */
  readonly sentMs: string;
  /** A column compared with a `ms` placeholder. */
  time(placeholder: string): string;
  /** tags as a JSON object the driver hands back parsed (or as JSON text). */
  readonly tags: string;
  /** Where events() reads its pages from instead of chat_events' raw and tags (a faster path of the engine's own). */
  readonly pages?: PageSource;
}

/** A relation with the chat_events columns but raw and tags, and how a page of its rows (READ_COLUMNS, sent_ms and `columns`) becomes events. */
export interface PageSource {
  readonly from: string;
  readonly columns: string;
  toStored(rows: readonly Record<string, unknown>[], sink: Pick<Sink, 'query'>): Promise<StoredEvent[]>;
}

/** Rows per page: each page is one keyset query, so a channel-day of 100,000 events is never held whole. */
const PAGE = 5000;

export const READ_COLUMNS =
  'event_id, kind, subtype, channel, channel_id, user_login, user_id, display_name, target_user_login, target_user_id, text, is_action, system_text, ban_duration_s';

export function toStored(row: Record<string, unknown>): StoredEvent {
  const text = (v: unknown) => (v === null || v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v));
  const tags =
    typeof row.tags === 'string' ? (JSON.parse(row.tags) as Record<string, string>) : ((row.tags ?? {}) as Record<string, string>);
  return {
    event_id: String(row.event_id),
    kind: String(row.kind) as ChatEventKind,
    subtype: text(row.subtype),
    channel: String(row.channel),
    channel_id: text(row.channel_id),
    user_login: text(row.user_login),
    user_id: text(row.user_id),
    display_name: text(row.display_name),
    target_user_login: text(row.target_user_login),
    target_user_id: text(row.target_user_id),
    text: text(row.text),
    is_action: row.is_action === true || row.is_action === 1 || row.is_action === '1' || row.is_action === 'true',
    system_text: text(row.system_text),
    ban_duration_s: row.ban_duration_s === null || row.ban_duration_s === undefined ? null : Number(row.ban_duration_s),
    sent_at: Number(row.sent_ms),
    tags,
    raw: String(row.raw),
  };
}

/**
 * ChatReader over a sink's `chat_events` view (Postgres, ClickHouse): the contract's columns, so
 * the reader is the same SQL on both engines but for the dialect. Events stream page by page
 * with keyset pagination on (sent_at, event_id), each page one indexed range query; stopping
 * early stops at the page. Needs only SELECT: a read-only database user is enough.
 */
export class SqlChatReader implements ChatReader {
  constructor(
    private readonly sink: Pick<Sink, 'query' | 'close'>,
    private readonly dialect: ReaderDialect,
  ) {}

  /** The scope's WHERE and its parameters, numbered from `first`. */
  private scope(scope: ReadScope, first: number): { sql: string; params: unknown[] } {
    const p = (i: number) => this.dialect.param(first + i, 'text');
    const user = scope.user;
    if (user === undefined) return { sql: `channel = ${p(0)}`, params: [scope.channel] };
    const [own, target] = 'login' in user ? ['user_login', 'target_user_login'] : ['user_id', 'target_user_id'];
    const value = 'login' in user ? user.login : user.id;
    return {
      sql: `channel = ${p(0)} AND (${own} = ${p(1)} OR (${target} = ${p(2)} AND kind IN ('ban', 'timeout')))`,
      params: [scope.channel, value, value],
    };
  }

  async listChannels(): Promise<ChannelRef[]> {
    const rows = await this.sink.query(
      `SELECT channel, max(channel_id) AS channel_id FROM chat_events WHERE channel <> '*' GROUP BY channel ORDER BY channel`,
    );
    return rows.map((r) => ({
      name: String(r.channel),
      id: r.channel_id === null || r.channel_id === undefined || r.channel_id === '' ? null : String(r.channel_id as string | number),
    }));
  }

  async firstEventAt(scope: ReadScope, fromMs: number): Promise<number | null> {
    const where = this.scope(scope, 1);
    const from = this.dialect.param(where.params.length + 1, 'ms');
    const [row] = await this.sink.query(
      `SELECT ${this.dialect.sentMs} AS sent_ms FROM chat_events WHERE ${where.sql} AND sent_at >= ${this.dialect.time(from)} ORDER BY sent_at LIMIT 1`,
      [...where.params, fromMs],
    );
    return row === undefined ? null : Number(row.sent_ms);
  }

  async lastEventAt(scope: ReadScope): Promise<number | null> {
    const where = this.scope(scope, 1);
    const [row] = await this.sink.query(
      `SELECT ${this.dialect.sentMs} AS sent_ms FROM chat_events WHERE ${where.sql} ORDER BY sent_at DESC LIMIT 1`,
      where.params,
    );
    return row === undefined ? null : Number(row.sent_ms);
  }

  async *events(scope: ReadScope, range: EventRange): AsyncGenerator<StoredEvent> {
    const where = this.scope(scope, 1);
    const order = range.reverse ? 'DESC' : 'ASC';
    const next = range.reverse ? '<' : '>';
    let skip = range.offset ?? 0;
    let left = range.limit ?? Number.POSITIVE_INFINITY;
    let after: { ms: number; id: string } | null = null;
    while (left > 0) {
      const n = where.params.length;
      const p = (i: number, type: 'text' | 'ms') => this.dialect.param(n + i, type);
      const keyset =
        after === null
          ? ''
          : ` AND (sent_at ${next} ${this.dialect.time(p(3, 'ms'))} OR (sent_at = ${this.dialect.time(p(4, 'ms'))} AND event_id ${next} ${p(5, 'text')}))`;
      const size = Math.min(PAGE, left);
      const source = this.dialect.pages;
      const rows = await this.sink.query(
        `SELECT ${READ_COLUMNS}, ${source?.columns ?? `raw, ${this.dialect.tags} AS tags`}, ${this.dialect.sentMs} AS sent_ms FROM ${source?.from ?? 'chat_events'}
          WHERE ${where.sql} AND sent_at >= ${this.dialect.time(p(1, 'ms'))} AND sent_at < ${this.dialect.time(p(2, 'ms'))}${keyset}
          ORDER BY sent_at ${order}, event_id ${order} LIMIT ${size + skip}`,
        [...where.params, range.fromMs, range.toMs, ...(after === null ? [] : [after.ms, after.ms, after.id])],
      );
      const page = rows.slice(skip);
      skip = 0;
      for (const event of source ? await source.toStored(page, this.sink) : page.map(toStored)) yield event;
      left -= page.length;
      if (rows.length < size) return;
      const last = rows[rows.length - 1]!;
      after = { ms: Number(last.sent_ms), id: String(last.event_id) };
    }
  }

  async close(): Promise<void> {
    await this.sink.close();
  }
}

export const POSTGRES_READER: ReaderDialect = {
  param: (n) => `$${n}`,
  sentMs: `(extract(epoch FROM sent_at) * 1000)::bigint`,
  time: (placeholder) => `(timestamptz 'epoch' + ${placeholder}::bigint * interval '1 millisecond')`,
  tags: 'tags',
};

export const CLICKHOUSE_READER: ReaderDialect = {
  param: (n, type) => `{p${n}:${type === 'ms' ? 'Int64' : 'String'}}`,
  sentMs: 'toUnixTimestamp64Milli(sent_at)',
  time: (placeholder) => `fromUnixTimestamp64Milli(${placeholder})`,
  tags: 'toJSONString(tags)',
};
