import type pg from 'pg';
import type { ChatEvent } from '../../events/chatEvent.ts';
import { MigrationVerifyError } from '../../errors.ts';
import { CATEGORY_VIEWS } from '../categoryViews.ts';
import { CHAT_EVENT_COLUMNS } from '../columns.ts';
import { PostgresChatWriter } from './postgresChatWriter.ts';
import { CHAT_EVENT_LAYOUT_STATEMENTS, monthPartitionDdl } from './postgresLayout.ts';

const OLD = 'chat_events_v1';
const PAGE = 5000;

/** What the copy does with a page of old events (the sink's chat writer; a test may break it). */
export type CopyPage = (client: pg.ClientBase, events: readonly ChatEvent[]) => Promise<void>;

const SELECT_OLD = `SELECT ${CHAT_EVENT_COLUMNS.filter((c) => c !== 'sent_at' && c !== 'received_at').join(', ')},
  (extract(epoch FROM sent_at) * 1000)::bigint AS sent_ms, (extract(epoch FROM received_at) * 1000)::bigint AS received_ms
  FROM ${OLD}`;

function eventOf(row: Record<string, unknown>): ChatEvent {
  const { sent_ms, received_ms, v: _v, ...rest } = row;
  return { ...rest, v: 1, sent_at: Number(sent_ms), received_at: Number(received_ms) } as unknown as ChatEvent;
}

/** Rows of the old table that the new view does not give back equal, column by column (raw byte for byte). */
const DIFFERENCES = `
SELECT coalesce(o.event_id, n.event_id) AS event_id,
       CASE WHEN o.event_id IS NULL OR n.event_id IS NULL THEN 'row'
            ELSE (SELECT c FROM (VALUES ${CHAT_EVENT_COLUMNS.map((c, i) => `(${i}, '${c}', o.${c} IS DISTINCT FROM n.${c})`).join(', ')}) AS d(i, c, differs) WHERE differs ORDER BY i LIMIT 1) END AS column_name
FROM ${OLD} o FULL JOIN chat_events n ON n.event_id = o.event_id AND n.sent_at = o.sent_at
WHERE o.event_id IS NULL OR n.event_id IS NULL OR (${CHAT_EVENT_COLUMNS.map((c) => `o.${c}`).join(', ')}) IS DISTINCT FROM (${CHAT_EVENT_COLUMNS.map((c) => `n.${c}`).join(', ')})
LIMIT 1`;

/**
 * Moves a chat_events table of the first layout (raw, tags and params stored beside the columns)
 * into the compact layout, in the caller's transaction: the old table is renamed to
 * chat_events_v1, the layout, its view and the category views created, every old row copied page
 * by page through the chat writer, and then every old row compared with what the new chat_events
 * view gives for it, every contract column (raw byte for byte, tags, params, badges, both times),
 * and the other way round. Only when nothing differs is the old table dropped; any difference
 * throws, which rolls the whole migration back and leaves the database as it was.
 */
export async function migrateToLineParts(client: pg.ClientBase, copyPage?: CopyPage): Promise<void> {
  const { rows: found } = await client.query<{ relkind: string }>(
    "SELECT relkind FROM pg_class WHERE relname = 'chat_events' AND relnamespace = current_schema()::regnamespace",
  );
  const relkind = found[0]?.relkind;
  for (const { name } of CATEGORY_VIEWS) await client.query(`DROP VIEW IF EXISTS ${name}`);
  if (relkind === 'p' || relkind === 'r') await client.query(`ALTER TABLE chat_events RENAME TO ${OLD}`);
  for (const statement of CHAT_EVENT_LAYOUT_STATEMENTS) await client.query(statement);
  if (relkind !== 'p' && relkind !== 'r') return;

  const { rows: months } = await client.query<{ y: number; m: number }>(
    `SELECT DISTINCT extract(year FROM sent_at AT TIME ZONE 'UTC')::int AS y, extract(month FROM sent_at AT TIME ZONE 'UTC')::int AS m FROM ${OLD}`,
  );
  for (const { y, m } of months) await client.query(monthPartitionDdl(y, m).sql);

  const writer = new PostgresChatWriter();
  const copy: CopyPage =
    copyPage ??
    (async (c, events) => {
      const rows = writer.rows(events);
      await writer.addTemplates(c, rows);
      await writer.insert(c, rows);
    });
  // One scan of the old table through a cursor (this transaction's), a page at a time.
  await client.query(`DECLARE old_chat_events NO SCROLL CURSOR FOR ${SELECT_OLD}`);
  let copied = 0;
  for (;;) {
    const { rows } = await client.query<Record<string, unknown>>(`FETCH ${PAGE} FROM old_chat_events`);
    if (rows.length === 0) break;
    const events = rows.map(eventOf);
    await copy(client, events);
    copied += events.length;
  }
  await client.query('CLOSE old_chat_events');

  const { rows: counts } = await client.query<{ old: string; now: string }>(
    `SELECT (SELECT count(*) FROM ${OLD}) AS old, (SELECT count(*) FROM chat_event_rows) AS now`,
  );
  const old = Number(counts[0]?.old);
  const now = Number(counts[0]?.now);
  if (old !== copied || now !== copied) {
    throw new MigrationVerifyError(
      `copied ${copied} of ${old} chat events (${now} stored in chat_event_rows); nothing changed (rolled back)`,
    );
  }
  const { rows: differences } = await client.query<{ event_id: string; column_name: string }>(DIFFERENCES);
  const first = differences[0];
  if (first !== undefined) {
    throw new MigrationVerifyError(
      `chat event ${first.event_id} reads back with a different ${first.column_name}; nothing changed (rolled back)`,
    );
  }
  await client.query(`DROP TABLE ${OLD}`);
}
