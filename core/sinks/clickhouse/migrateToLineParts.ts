import { isDeepStrictEqual } from 'node:util';
import type { ChatEvent } from '../../events/chatEvent.ts';
import { MigrationVerifyError } from '../../errors.ts';
import { CHAT_EVENT_COLUMNS } from '../columns.ts';
import { CHAT_EVENT_LAYOUT_STATEMENTS } from './clickhouseLayout.ts';
import { clickhouseTime } from './clickhouseTime.ts';

/** What a ClickHouse migration's code may do: the sink's own query, command and chat insert paths. */
export interface ClickHouseMigrationContext {
  rows<T>(query: string, params?: Record<string, unknown>): Promise<T[]>;
  command(query: string): Promise<void>;
  insertChatEvents(events: readonly ChatEvent[]): Promise<void>;
}

const OLD = 'chat_events_v1';
const PAGE = 20_000;

/**
 * Every contract column, timestamps as ms since the epoch under other names (an alias named
 * sent_at would stand for the column in WHERE): the same select on the old table and the view.
 */
const EVENT_COLUMNS_SQL = CHAT_EVENT_COLUMNS.map((c) =>
  c === 'sent_at' || c === 'received_at' ? `toUnixTimestamp64Milli(${c}) AS ${c}_ms` : c,
).join(', ');

type Row = Record<string, unknown>;

function eventOf(row: Row): ChatEvent {
  const { sent_at_ms, received_at_ms, ...rest } = row;
  return { ...rest, v: 1, sent_at: sent_at_ms, received_at: received_at_ms } as unknown as ChatEvent;
}

async function engineOf(context: ClickHouseMigrationContext, table: string): Promise<string | undefined> {
  const found = await context.rows<{ engine: string }>(
    'SELECT engine FROM system.tables WHERE database = currentDatabase() AND name = {table:String}',
    { table },
  );
  return found[0]?.engine;
}

/**
 * Moves a chat_events table of the first layout (raw, tags and params stored beside the columns)
 * into the compact layout: the old table is renamed to chat_events_v1, the layout and its views
 * created, and the old rows (FINAL: each event once) copied page by page through the sink's
 * write path, each page read back through the new chat_events view and compared with the old
 * rows, every contract column (raw byte for byte, tags, params, badges). Only when every row is
 * equal and the counts match is the old table dropped; any difference throws and keeps it, and
 * running the migration again resumes (the copy is idempotent: the new table collapses repeats).
 */
export async function migrateToLineParts(context: ClickHouseMigrationContext): Promise<void> {
  const engine = await engineOf(context, 'chat_events');
  if (engine !== undefined && engine !== 'View') await context.command(`RENAME TABLE chat_events TO ${OLD}`);
  for (const statement of CHAT_EVENT_LAYOUT_STATEMENTS) await context.command(statement);
  if ((await engineOf(context, OLD)) === undefined) return;

  let after: { channel: string; sent_at: number; event_id: string } | undefined;
  let copied = 0;
  for (;;) {
    const page = await context.rows<Row>(
      `SELECT ${EVENT_COLUMNS_SQL} FROM ${OLD} FINAL
       ${after ? "WHERE (channel, sent_at, event_id) > ({c:String}, {t:DateTime64(3, 'UTC')}, {id:String})" : ''}
       ORDER BY channel, sent_at, event_id LIMIT ${PAGE}`,
      after ? { c: after.channel, t: clickhouseTime(after.sent_at), id: after.event_id } : undefined,
    );
    if (page.length === 0) break;
    const events = page.map(eventOf);
    await context.insertChatEvents(events);
    await verifyPage(context, events);
    copied += events.length;
    const last = events[events.length - 1]!;
    after = { channel: last.channel, sent_at: last.sent_at, event_id: last.event_id };
  }
  const [counts] = await context.rows<{ old: number; now: number }>(
    `SELECT (SELECT count() FROM ${OLD} FINAL) AS old, (SELECT count() FROM chat_event_rows FINAL) AS now`,
  );
  if (counts?.old !== copied || counts.now !== copied) {
    throw new MigrationVerifyError(
      `copied ${copied} of ${counts?.old} chat events (${counts?.now} stored in chat_event_rows); ${OLD} is kept`,
    );
  }
  await context.command(`DROP TABLE ${OLD}`);
}

/** Reads the page's events back through the chat_events view and compares every column. */
async function verifyPage(context: ClickHouseMigrationContext, events: readonly ChatEvent[]): Promise<void> {
  let lo = Infinity;
  let hi = -Infinity;
  for (const e of events) {
    lo = Math.min(lo, e.sent_at);
    hi = Math.max(hi, e.sent_at);
  }
  const stored = await context.rows<Row>(
    `SELECT ${EVENT_COLUMNS_SQL} FROM chat_events
     WHERE channel IN {channels:Array(String)} AND sent_at BETWEEN {lo:DateTime64(3, 'UTC')} AND {hi:DateTime64(3, 'UTC')}
       AND event_id IN {ids:Array(String)}`,
    {
      channels: [...new Set(events.map((e) => e.channel))],
      lo: clickhouseTime(lo),
      hi: clickhouseTime(hi),
      ids: events.map((e) => e.event_id),
    },
  );
  const byId = new Map(stored.map((row) => [String(row.event_id), eventOf(row)]));
  for (const old of events) {
    const now = byId.get(old.event_id);
    const column = now === undefined ? 'row' : CHAT_EVENT_COLUMNS.find((c) => !isDeepStrictEqual(old[c], now[c]));
    if (column !== undefined) {
      throw new MigrationVerifyError(`chat event ${old.event_id} reads back with a different ${column}; ${OLD} is kept`);
    }
  }
}
