import type Database from 'better-sqlite3';
import type { OptOutSelector } from '../types.ts';
import { encodeDecimal } from './sqliteChatRow.ts';

/** `column IN (?, …)` for a list, or a condition that holds for no row when it is empty. */
function inList(column: string, values: readonly unknown[], params: unknown[]): string {
  if (values.length === 0) return '0';
  params.push(...values);
  return `${column} IN (${values.map(() => '?').join(', ')})`;
}

/**
 * Deletes what the opt-out names from chat_event_rows and stream_snapshots in one transaction.
 * Ids are bound as the writer stores them (integers when canonical, sqliteChatRow.ts); a user is
 * matched as sender and as target (bans, timeouts, gifts to them), a channel as the room and as
 * the source room of shared chat. Freed pages are reused by later writes; the file itself only
 * shrinks on VACUUM.
 */
export function deleteOptedOut(db: Database.Database, who: OptOutSelector): number {
  const ids = (values: readonly string[]) => values.map(encodeDecimal);
  const params: unknown[] = [];
  const where = [
    inList('user_id', ids(who.userIds), params),
    inList('target_user_id', ids(who.userIds), params),
    inList('user_login', who.userLogins, params),
    inList('target_user_login', who.userLogins, params),
    inList('channel_id', ids(who.channelIds), params),
    inList('source_channel_id', ids(who.channelIds), params),
    inList('channel', who.channelLogins, params),
  ].join(' OR ');
  const snapshotParams: unknown[] = [];
  const snapshotWhere = [inList('channel_id', who.channelIds, snapshotParams), inList('channel', who.channelLogins, snapshotParams)].join(
    ' OR ',
  );
  return db.transaction(() => {
    const events = db.prepare(`DELETE FROM chat_event_rows WHERE ${where}`).run(...params).changes;
    const snapshots = db.prepare(`DELETE FROM stream_snapshots WHERE ${snapshotWhere}`).run(...snapshotParams).changes;
    return events + snapshots;
  })();
}
