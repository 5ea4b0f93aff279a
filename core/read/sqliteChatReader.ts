import type Database from 'better-sqlite3';
import { CHAT_EVENT_KINDS } from '../events/chatEvent.ts';
import { openSqliteDatabase } from '../sinks/sqlite/openSqliteDatabase.ts';
import { iterateChatEvents } from '../sinks/sqlite/readChatEvents.ts';
import type { ReportSource } from '../reports/types.ts';
import { ReadUnsupportedError } from './errors.ts';
import type { SearchQuery } from './searchQuery.ts';
import { MAX_PAGE_EVENTS, sqliteSearchPage, type RowsWhere } from './sqliteSearchPage.ts';
import type { ChannelRef, ChatReader, EventRange, ReadScope, StoredEvent, UserRef } from './types.ts';

/** Bans and timeouts as chat_event_rows stores kinds (their index in the contract's list). */
const BAN_KINDS = `kind IN (${CHAT_EVENT_KINDS.indexOf('ban')}, ${CHAT_EVENT_KINDS.indexOf('timeout')})`;

/**
 * A scope over chat_event_rows' stored columns. A user's events: what they sent, and the bans and
 * timeouts that target them. Ids of up to 15 digits are stored as integers, so ids compare as text.
 */
function scopeWhere(scope: ReadScope): { sql: string; params: unknown[] } {
  const user = scope.user;
  if (user === undefined) return { sql: 'channel = ?', params: [scope.channel] };
  if ('login' in user) {
    return {
      sql: `channel = ? AND (user_login = ? OR (target_user_login = ? AND ${BAN_KINDS}))`,
      params: [scope.channel, user.login, user.login],
    };
  }
  return {
    sql: `channel = ? AND (CAST(user_id AS TEXT) = ? OR (CAST(target_user_id AS TEXT) = ? AND ${BAN_KINDS}))`,
    params: [scope.channel, user.id, user.id],
  };
}

/**
 * Conditions that together hold every event of a scope, each answered by one index alone
 * (sqliteSearchPage.ts): the channel's, or by login the user's and their targets' events in every
 * channel; by id (no index) the channel's.
 */
function scopeCovers(scope: ReadScope): RowsWhere[] {
  const user = scope.user;
  if (user === undefined || !('login' in user)) return [{ sql: 'channel = ?', params: [scope.channel] }];
  return [
    { sql: 'user_login = ?', params: [user.login] },
    { sql: 'target_user_login = ?', params: [user.login] },
  ];
}

/** A user anywhere: what they sent, and the bans and timeouts of them (indexed by login; by id a scan). */
function userWhere(user: UserRef): { sql: string; params: unknown[] } {
  if ('login' in user) {
    return { sql: `(user_login = ? OR (target_user_login = ? AND ${BAN_KINDS}))`, params: [user.login, user.login] };
  }
  return { sql: `(CAST(user_id AS TEXT) = ? OR (CAST(target_user_id AS TEXT) = ? AND ${BAN_KINDS}))`, params: [user.id, user.id] };
}

/** FTS5's own syntax for our terms: each one a quoted string (a phrase of the words FTS5 finds in it), all ANDed. */
function ftsMatch(query: SearchQuery): string {
  return query.terms.map((t) => `"${t.text.replaceAll('"', '""')}"`).join(' AND ');
}

/** Rowids computed on a stream's own connection (a search page). */
type RowidsOf = (db: Database.Database) => number[];

const paging = (range: EventRange) => {
  const order = range.reverse ? 'DESC' : 'ASC';
  return { sql: `ORDER BY sent_at ${order}, event_id ${order} LIMIT ? OFFSET ?`, params: [range.limit ?? -1, range.offset ?? 0] };
};

/**
 * ChatReader on the SQLite sink's file. Small lookups share one read-only connection; each event
 * stream gets its own, because better-sqlite3 keeps a connection busy while an `.iterate()`
 * cursor is open and concurrent requests would otherwise collide. Every lookup is an index seek
 * on (channel, sent_at) or (user_login, sent_at), so channel lists and available days cost one
 * seek per channel or per day (skip-scan) however many events are stored.
 */
export class SqliteChatReader implements ChatReader {
  private shared: Database.Database | undefined;

  constructor(private readonly path: string) {}

  private db(): Database.Database {
    this.shared ??= openSqliteDatabase(this.path, { readonly: true });
    return this.shared;
  }

  async listChannels(): Promise<ChannelRef[]> {
    const db = this.db();
    const next = db.prepare('SELECT min(channel) FROM chat_event_rows WHERE channel > ?').pluck();
    const idOf = db
      .prepare(
        'SELECT CAST(channel_id AS TEXT) FROM chat_event_rows WHERE channel = ? AND channel_id IS NOT NULL ORDER BY sent_at DESC LIMIT 1',
      )
      .pluck();
    const channels: ChannelRef[] = [];
    for (let name = next.get('') as string | null; name !== null; name = next.get(name) as string | null) {
      if (name === '*') continue;
      channels.push({ name, id: (idOf.get(name) as string | undefined) ?? null });
    }
    return channels;
  }

  async firstEventAt(scope: ReadScope, fromMs: number): Promise<number | null> {
    const where = scopeWhere(scope);
    const sql = `SELECT sent_at FROM chat_event_rows WHERE ${where.sql} AND sent_at >= ? ORDER BY sent_at LIMIT 1`;
    return (
      (this.db()
        .prepare(sql)
        .pluck()
        .get(...where.params, fromMs) as number | undefined) ?? null
    );
  }

  async lastEventAt(scope: ReadScope): Promise<number | null> {
    const where = scopeWhere(scope);
    const sql = `SELECT sent_at FROM chat_event_rows WHERE ${where.sql} ORDER BY sent_at DESC LIMIT 1`;
    return (
      (this.db()
        .prepare(sql)
        .pluck()
        .get(...where.params) as number | undefined) ?? null
    );
  }

  events(scope: ReadScope, range: EventRange): AsyncGenerator<StoredEvent> {
    const where = scopeWhere(scope);
    return this.stream(`WHERE ${where.sql} AND sent_at >= ? AND sent_at < ?`, [...where.params, range.fromMs, range.toMs], range);
  }

  /**
   * The FTS5 index (chatEventText.ts) answers the rowids whose text matches; the scope, range and
   * order then come from chat_event_rows as for `events`. A page (a limit, up to MAX_PAGE_EVENTS
   * with its offset) walks the matches lazily in rowid order (sqliteSearchPage.ts); the rest (every
   * match) lets SQLite join the whole match list with the channel's range.
   */
  search(scope: ReadScope, query: SearchQuery, range: EventRange): AsyncGenerator<StoredEvent> {
    const indexed = this.db().prepare("SELECT 1 FROM sqlite_master WHERE name = 'chat_event_text'").get();
    if (indexed === undefined) throw new ReadUnsupportedError('search needs the full-text index: run `poglytics migrate` on this database');
    const where = scopeWhere(scope);
    const limit = range.limit;
    if (limit !== undefined && limit + (range.offset ?? 0) <= MAX_PAGE_EVENTS) {
      const page = (db: Database.Database) =>
        sqliteSearchPage(db, ftsMatch(query), { where, covers: scopeCovers(scope) }, { ...range, limit });
      return this.stream('WHERE rowid IN (SELECT value FROM json_each(?))', [page], range);
    }
    return this.stream(
      `WHERE rowid IN (SELECT rowid FROM chat_event_text WHERE chat_event_text MATCH ?) AND ${where.sql} AND sent_at >= ? AND sent_at < ?`,
      [ftsMatch(query), ...where.params, range.fromMs, range.toMs],
      range,
    );
  }

  userEvents(user: UserRef, range: EventRange): AsyncGenerator<StoredEvent> {
    const where = userWhere(user);
    return this.stream(`WHERE ${where.sql} AND sent_at >= ? AND sent_at < ?`, [...where.params, range.fromMs, range.toMs], range);
  }

  /** Report SQL (core/reports) on the shared read-only connection: the chat_events view's columns, none of its line functions. */
  readonly reports: ReportSource = {
    name: 'sqlite',
    query: async (sql, params = []) =>
      this.db()
        .prepare(sql)
        .all(...params) as Record<string, unknown>[],
  };

  /** A parameter may be a function of the stream's connection: its value, computed in the same read transaction (one snapshot). */
  private async *stream(where: string, params: readonly unknown[], range: EventRange): AsyncGenerator<StoredEvent> {
    const page = paging(range);
    const db = openSqliteDatabase(this.path, { readonly: true });
    try {
      db.exec('BEGIN');
      const values = params.map((p) => (typeof p === 'function' ? JSON.stringify((p as RowidsOf)(db)) : p));
      // The stored parts, rebuilt in one pass per row (readChatEvents.ts), not through the view's SQL functions.
      yield* iterateChatEvents(db, `${where} ${page.sql}`, [...values, ...page.params]);
    } finally {
      db.close();
    }
  }

  async close(): Promise<void> {
    this.shared?.close();
    this.shared = undefined;
  }
}
