import type Database from 'better-sqlite3';
import type { ChatEventKind } from '../events/chatEvent.ts';
import { openSqliteDatabase } from '../sinks/sqlite/openSqliteDatabase.ts';
import type { ChannelRef, ChatReader, EventRange, ReadScope, StoredEvent } from './types.ts';

/** The chat_events columns the read service reads, by contract name only (the table may become a view). */
const COLUMNS =
  'event_id, kind, subtype, channel, channel_id, user_login, user_id, display_name, target_user_login, target_user_id, text, is_action, system_text, ban_duration_s, sent_at, tags, raw';

type Row = Omit<StoredEvent, 'is_action' | 'tags'> & { is_action: number; tags: string };

/**
 * A row as a StoredEvent whose `tags` are parsed on first use: text and raw lines never need them,
 * and parsing every row's JSON was a third of the time of a channel-day as text.
 */
class SqliteStoredEvent implements StoredEvent {
  readonly event_id: string;
  readonly kind: ChatEventKind;
  readonly subtype: string | null;
  readonly channel: string;
  readonly channel_id: string | null;
  readonly user_login: string | null;
  readonly user_id: string | null;
  readonly display_name: string | null;
  readonly target_user_login: string | null;
  readonly target_user_id: string | null;
  readonly text: string | null;
  readonly is_action: boolean;
  readonly system_text: string | null;
  readonly ban_duration_s: number | null;
  readonly sent_at: number;
  readonly raw: string;
  private readonly tagsJson: string;
  private parsedTags: Record<string, string> | undefined;

  constructor(row: Row) {
    this.event_id = row.event_id;
    this.kind = row.kind;
    this.subtype = row.subtype;
    this.channel = row.channel;
    this.channel_id = row.channel_id;
    this.user_login = row.user_login;
    this.user_id = row.user_id;
    this.display_name = row.display_name;
    this.target_user_login = row.target_user_login;
    this.target_user_id = row.target_user_id;
    this.text = row.text;
    this.is_action = row.is_action === 1;
    this.system_text = row.system_text;
    this.ban_duration_s = row.ban_duration_s;
    this.sent_at = row.sent_at;
    this.raw = row.raw;
    this.tagsJson = row.tags;
  }

  get tags(): Record<string, string> {
    this.parsedTags ??= JSON.parse(this.tagsJson) as Record<string, string>;
    return this.parsedTags;
  }
}

/** A user's events: what they sent, and the bans and timeouts that target them. */
function scopeWhere(scope: ReadScope): { sql: string; params: unknown[] } {
  const user = scope.user;
  if (user === undefined) return { sql: 'channel = ?', params: [scope.channel] };
  if ('login' in user) {
    return {
      sql: "channel = ? AND (user_login = ? OR (target_user_login = ? AND kind IN ('ban', 'timeout')))",
      params: [scope.channel, user.login, user.login],
    };
  }
  return {
    sql: "channel = ? AND (user_id = ? OR (target_user_id = ? AND kind IN ('ban', 'timeout')))",
    params: [scope.channel, user.id, user.id],
  };
}

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
    const next = db.prepare('SELECT min(channel) FROM chat_events WHERE channel > ?').pluck();
    const idOf = db
      .prepare('SELECT channel_id FROM chat_events WHERE channel = ? AND channel_id IS NOT NULL ORDER BY sent_at DESC LIMIT 1')
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
    const sql = `SELECT sent_at FROM chat_events WHERE ${where.sql} AND sent_at >= ? ORDER BY sent_at LIMIT 1`;
    return (
      (this.db()
        .prepare(sql)
        .pluck()
        .get(...where.params, fromMs) as number | undefined) ?? null
    );
  }

  async lastEventAt(scope: ReadScope): Promise<number | null> {
    const where = scopeWhere(scope);
    const sql = `SELECT sent_at FROM chat_events WHERE ${where.sql} ORDER BY sent_at DESC LIMIT 1`;
    return (
      (this.db()
        .prepare(sql)
        .pluck()
        .get(...where.params) as number | undefined) ?? null
    );
  }

  async *events(scope: ReadScope, range: EventRange): AsyncGenerator<StoredEvent> {
    const where = scopeWhere(scope);
    const order = range.reverse ? 'DESC' : 'ASC';
    const sql = `SELECT ${COLUMNS} FROM chat_events WHERE ${where.sql} AND sent_at >= ? AND sent_at < ?
      ORDER BY sent_at ${order}, event_id ${order} LIMIT ? OFFSET ?`;
    const db = openSqliteDatabase(this.path, { readonly: true });
    try {
      const rows = db.prepare(sql).iterate(...where.params, range.fromMs, range.toMs, range.limit ?? -1, range.offset ?? 0);
      for (const row of rows as IterableIterator<Row>) yield new SqliteStoredEvent(row);
    } finally {
      db.close();
    }
  }

  async close(): Promise<void> {
    this.shared?.close();
    this.shared = undefined;
  }
}
