import type { ChatEventKind } from '../events/chatEvent.ts';
import type { ReportSource } from '../reports/types.ts';
import { clickhouseSearchMatch } from '../sinks/clickhouse/clickhouseSearchIndex.ts';
import { POSTGRES_SEARCH_WORDS } from '../sinks/postgres/postgresSearchIndex.ts';
import type { Sink } from '../sinks/types.ts';
import { clickhouseSearchPage } from './clickhouseSearchPage.ts';
import { searchWords, type SearchQuery } from './searchQuery.ts';
import type { ChannelRef, ChatReader, EventRange, ReadScope, StoredEvent, UserRef } from './types.ts';

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
  /**
   * The condition that `text` holds every term of a search (core/read/searchQuery.ts), exactly,
   * in the form the engine's full-text index answers; `bind` turns a value into a placeholder.
   */
  matches(query: SearchQuery, bind: (value: string) => string): string;
  /** What a search reads from: chat_events, or its rows with the columns `matches` needs. */
  readonly searchFrom: string;
  /** Where pages are read from instead of chat_events' raw and tags (a faster path of the engine's own; it has `text` for searches). */
  readonly pages?: PageSource;
  /** A search's pages, when the engine reads them faster from its stored rows than through `searchFrom`. */
  readonly searchPage?: SearchPage;
}

/** An event's place in the (sent_at, event_id) order that pages follow. */
export interface EventKey {
  readonly ms: number;
  readonly id: string;
}

/** A search page read the engine's own way (ClickHouse: clickhouseSearchPage.ts). */
export interface SearchPage {
  /** The event id in the SQL the page reads (the keyset's `event_id`). */
  readonly eventId: string;
  /**
   * The first `limit` events, in `order` of (sent_at, event_id), each once, that are in `scope`,
   * after `keyset` and `match`; `resume` is a bound on
   * sent_at alone that `keyset` implies.
   * `more` unless the scope holds no match after the last of them.
   */
  read(
    sink: Pick<Sink, 'query'>,
    where: { scope: string; resume: string; keyset: string; match: string; params: readonly unknown[] },
    order: 'ASC' | 'DESC',
    limit: number,
  ): Promise<{ events: StoredEvent[]; more: boolean }>;
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

/** A WHERE clause whose values are bound as the engine's numbered placeholders, in order. */
class Bound {
  readonly params: unknown[] = [];
  constructor(private readonly dialect: ReaderDialect) {}
  text = (value: string): string => {
    this.params.push(value);
    return this.dialect.param(this.params.length, 'text');
  };
  ms = (value: number): string => {
    this.params.push(value);
    return this.dialect.time(this.dialect.param(this.params.length, 'ms'));
  };
  /** A value the caller spells the placeholder of: its number. */
  any = (value: unknown): number => this.params.push(value);
}

/** A user's own events and the bans and timeouts of them. */
function userSql(user: UserRef, bind: (value: string) => string): string {
  const [own, target] = 'login' in user ? ['user_login', 'target_user_login'] : ['user_id', 'target_user_id'];
  const value = 'login' in user ? user.login : user.id;
  return `(${own} = ${bind(value)} OR (${target} = ${bind(value)} AND kind IN ('ban', 'timeout')))`;
}

/**
 * ChatReader over a sink's `chat_events` view (Postgres, ClickHouse): the contract's columns, so
 * the reader is the same SQL on both engines but for the dialect. Events stream page by page
 * with keyset pagination on (sent_at, event_id), each page one indexed range query; stopping
 * early stops at the page. Needs only SELECT: a read-only database user is enough.
 */
export class SqlChatReader implements ChatReader {
  constructor(
    private readonly sink: Pick<Sink, 'name' | 'query' | 'close'>,
    private readonly dialect: ReaderDialect,
  ) {}

  /** The scope's WHERE. */
  private scope(scope: ReadScope, bound: Bound): string {
    const channel = `channel = ${bound.text(scope.channel)}`;
    return scope.user === undefined ? channel : `${channel} AND ${userSql(scope.user, bound.text)}`;
  }

  /**
   * A search's scope: a user's own events only, as bans and timeouts have no text to match (a
   * plain equality).
   */
  private searchScope(scope: ReadScope, bound: Bound): string {
    const channel = `channel = ${bound.text(scope.channel)}`;
    if (scope.user === undefined) return channel;
    return 'login' in scope.user
      ? `${channel} AND user_login = ${bound.text(scope.user.login)}`
      : `${channel} AND user_id = ${bound.text(scope.user.id)}`;
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
    const bound = new Bound(this.dialect);
    const where = this.scope(scope, bound);
    const [row] = await this.sink.query(
      `SELECT ${this.dialect.sentMs} AS sent_ms FROM chat_events WHERE ${where} AND sent_at >= ${bound.ms(fromMs)} ORDER BY sent_at LIMIT 1`,
      bound.params,
    );
    return row === undefined ? null : Number(row.sent_ms);
  }

  async lastEventAt(scope: ReadScope): Promise<number | null> {
    const bound = new Bound(this.dialect);
    const where = this.scope(scope, bound);
    const [row] = await this.sink.query(
      `SELECT ${this.dialect.sentMs} AS sent_ms FROM chat_events WHERE ${where} ORDER BY sent_at DESC LIMIT 1`,
      bound.params,
    );
    return row === undefined ? null : Number(row.sent_ms);
  }

  events(scope: ReadScope, range: EventRange): AsyncGenerator<StoredEvent> {
    return this.pages((bound) => this.scope(scope, bound), range);
  }

  /**
   * The scope's events whose text holds every term, through the engine's index of the words of
   * text (ClickHouse: clickhouseSearchIndex.ts; Postgres: postgresSearchIndex.ts), paged as `events`.
   */
  search(scope: ReadScope, query: SearchQuery, range: EventRange): AsyncGenerator<StoredEvent> {
    return this.pages((bound) => this.searchScope(scope, bound), range, {
      from: this.dialect.searchFrom,
      match: (bound) => this.dialect.matches(query, bound.text),
    });
  }

  userEvents(user: UserRef, range: EventRange): AsyncGenerator<StoredEvent> {
    return this.pages((bound) => userSql(user, bound.text), range);
  }

  /** Report SQL (core/reports) on the reader's own connection, as `poglytics query` runs it on the sink. */
  get reports(): ReportSource {
    return { name: this.sink.name, query: (sql, params) => this.sink.query(sql, params) };
  }

  /**
   * `where`'s events in `range` (those of a search: that also `match`), one keyset query per page
   * of (sent_at, event_id); a search with the dialect's searchKeys, two (SearchKeys).
   */
  private async *pages(
    where: (bound: Bound) => string,
    range: EventRange,
    search?: { from: string; match: (bound: Bound) => string },
  ): AsyncGenerator<StoredEvent> {
    const order = range.reverse ? 'DESC' : 'ASC';
    const next = range.reverse ? '<' : '>';
    const own = search === undefined ? undefined : this.dialect.searchPage;
    const source = this.dialect.pages;
    const select = `SELECT ${READ_COLUMNS}, ${source?.columns ?? `raw, ${this.dialect.tags} AS tags`}, ${this.dialect.sentMs} AS sent_ms FROM ${source?.from ?? search?.from ?? 'chat_events'}`;
    const eventId = own?.eventId ?? 'event_id';
    let skip = range.offset ?? 0;
    let left = range.limit ?? Number.POSITIVE_INFINITY;
    let after: EventKey | null = null;
    while (left > 0) {
      const bound = new Bound(this.dialect);
      const afterMs = after === null ? '' : bound.ms(after.ms);
      const keyset =
        after === null ? '' : ` AND (sent_at ${next} ${afterMs} OR (sent_at = ${afterMs} AND ${eventId} ${next} ${bound.text(after.id)}))`;
      const scope = `${where(bound)} AND sent_at >= ${bound.ms(range.fromMs)} AND sent_at < ${bound.ms(range.toMs)}`;
      const match = search?.match(bound);
      const size = Math.min(PAGE, left);
      let events: StoredEvent[];
      let more: boolean;
      let last: EventKey | undefined;
      if (own && match !== undefined) {
        const resume = after === null ? '' : ` AND sent_at ${next}= ${afterMs}`;
        const page = await own.read(this.sink, { scope, resume, keyset, match, params: bound.params }, order, size + skip);
        events = page.events.slice(skip);
        skip = Math.max(0, skip - page.events.length);
        more = page.more;
        const lastEvent = page.events.at(-1);
        last = lastEvent && { ms: lastEvent.sent_at, id: lastEvent.event_id };
      } else {
        const read = await this.sink.query(
          `${select} WHERE ${scope}${keyset}${match === undefined ? '' : ` AND ${match}`}
          ORDER BY sent_at ${order}, event_id ${order} LIMIT ${size + skip}`,
          bound.params,
        );
        const rows = read.slice(skip);
        skip = 0;
        events = source ? await source.toStored(rows, this.sink) : rows.map(toStored);
        more = read.length >= size;
        const lastRow = read.at(-1);
        last = lastRow && { ms: Number(lastRow.sent_ms), id: String(lastRow.event_id) };
      }
      for (const event of events) yield event;
      left -= events.length;
      if (!more || last === undefined) return;
      after = last;
    }
  }

  async close(): Promise<void> {
    await this.sink.close();
  }
}

/** The words of each term, and those of its terms that are phrases of several words. */
function termWords(query: SearchQuery): { words: string[]; phrases: string[][] } {
  const perTerm = query.terms.map((t) => searchWords(t.text));
  return { words: [...new Set(perTerm.flat())], phrases: perTerm.filter((w) => w.length > 1) };
}

export const POSTGRES_READER: ReaderDialect = {
  param: (n) => `$${n}`,
  sentMs: `(extract(epoch FROM sent_at) * 1000)::bigint`,
  time: (placeholder) => `(timestamptz 'epoch' + ${placeholder}::bigint * interval '1 millisecond')`,
  tags: 'tags',
  searchFrom: 'chat_events',
  // The GIN index answers the words (array containment); each phrase is then a run in the space-joined words.
  matches(query, bind) {
    const { words, phrases } = termWords(query);
    const all = `${POSTGRES_SEARCH_WORDS}(text) @> string_to_array(${bind(words.join(' '))}, ' ')`;
    const joined = `' ' || array_to_string(${POSTGRES_SEARCH_WORDS}(text), ' ') || ' '`;
    return [all, ...phrases.map((p) => `strpos(${joined}, ${bind(` ${p.join(' ')} `)}) > 0`)].join(' AND ');
  },
};

export const CLICKHOUSE_READER: ReaderDialect = {
  param: (n, type) => `{p${n}:${type === 'ms' ? 'Int64' : 'String'}}`,
  sentMs: 'toUnixTimestamp64Milli(sent_at)',
  time: (placeholder) => `fromUnixTimestamp64Milli(${placeholder})`,
  tags: 'toJSONString(tags)',
  searchFrom: 'chat_events',
  searchPage: clickhouseSearchPage,
  matches(query, bind) {
    const { words, phrases } = termWords(query);
    return clickhouseSearchMatch(words, phrases, bind);
  },
};
