import type { ChatEventKind } from '../events/chatEvent.ts';
import type { ReportSource } from '../reports/types.ts';
import type { SearchQuery } from './searchQuery.ts';

/** A channel as the read side knows it: its login and, when any event carried one, its room id. */
export interface ChannelRef {
  readonly name: string;
  readonly id: string | null;
}

/** Whose events: a channel, optionally narrowed to one user (by login or by user id). */
export interface ReadScope {
  readonly channel: string;
  readonly user?: UserRef;
}

/** A user by login or by user id (a login can change hands; an id cannot). */
export type UserRef = { readonly login: string } | { readonly id: string };

/** `[fromMs, toMs)` on sent_at, then ordering and paging applied by the database. */
export interface EventRange {
  readonly fromMs: number;
  readonly toMs: number;
  readonly reverse?: boolean;
  readonly limit?: number;
  readonly offset?: number;
}

/**
 * One stored event as the read service needs it: the chat_events columns by their contract
 * names, typed as the contract types them whatever the engine stores (tags an object, times ms).
 */
export interface StoredEvent {
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
  readonly tags: Readonly<Record<string, string>>;
  readonly raw: string;
}

/**
 * What a sink must answer for the read service. Everything else (available days and months,
 * redirects, random lines, resolving ids) is built on these in core/read, so Postgres and
 * ClickHouse each implement only this.
 *
 * A user scope means the events the user sent in that channel plus the bans and timeouts that
 * target them. `events` streams from a database cursor: it never holds a range whole, and
 * stopping the iteration early (`return()`) releases the cursor.
 */
export interface ChatReader {
  /** Every channel with stored events, by login (global notices, channel `*`, excluded). */
  listChannels(): Promise<ChannelRef[]>;
  /** sent_at of the first event in scope at or after `fromMs`, or null: a skip-scan step. */
  firstEventAt(scope: ReadScope, fromMs: number): Promise<number | null>;
  /** sent_at of the newest event in scope, or null when there is none. */
  lastEventAt(scope: ReadScope): Promise<number | null>;
  events(scope: ReadScope, range: EventRange): AsyncIterable<StoredEvent>;
  /**
   * The events in scope whose text matches `query` (every term; core/read/searchQuery.ts), in the
   * order and paging of `range`, from the engine's full-text index. Optional: the read API
   * answers 501 for a reader without it. Throws ReadUnsupportedError when the index is missing.
   */
  search?(scope: ReadScope, query: SearchQuery, range: EventRange): AsyncIterable<StoredEvent>;
  /**
   * One user's events across every channel (what they sent, and bans and timeouts of them), for
   * the admin route only: the public routes always name a channel. Optional, as `search`.
   */
  userEvents?(user: UserRef, range: EventRange): AsyncIterable<StoredEvent>;
  /** Where `poglytics query` reports run on this store (the read API's /stats). Optional, as `search`. */
  readonly reports?: ReportSource;
  close(): Promise<void>;
}
