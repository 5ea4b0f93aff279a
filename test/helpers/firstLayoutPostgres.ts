import pg from 'pg';
import type { ChatEvent } from '../../core/events/chatEvent.ts';
import { CHAT_EVENT_COLUMNS } from '../../core/sinks/columns.ts';
import { epochMsSql } from '../../core/sinks/postgres/epochMsSql.ts';
import { POSTGRES_MIGRATIONS } from '../../core/sinks/postgres/postgresMigrations.ts';
import { PostgresSink } from '../../core/sinks/postgres/postgresSink.ts';

const ROWS_PER_INSERT = 2000;

/**
 * A Postgres database as the release before the compact layout wrote it: its migrations
 * (versions 1 and 2, still the first entries of POSTGRES_MIGRATIONS), its monthly partitions
 * (chat_events_YYYY_MM) and its chat row (every contract field in its own column, timestamps
 * converted from ms as that release's sink did), inserted with plain SQL.
 */
export async function writeFirstLayoutPostgres(url: string, events: readonly ChatEvent[]): Promise<void> {
  const sink = new PostgresSink(
    { sink: 'postgres', connectionString: url },
    POSTGRES_MIGRATIONS.filter((m) => m.version <= 2),
  );
  await sink.migrate();
  await sink.close();
  const client = new pg.Client(url);
  await client.connect();
  try {
    const months = new Set(events.map((e) => new Date(e.sent_at).toISOString().slice(0, 7)));
    for (const month of months) {
      const [y, m] = month.split('-').map(Number);
      const next = m === 12 ? `${y! + 1}-01` : `${y}-${String(m! + 1).padStart(2, '0')}`;
      await client.query(
        `CREATE TABLE IF NOT EXISTS chat_events_${month.replace('-', '_')} PARTITION OF chat_events FOR VALUES FROM ('${month}-01 00:00:00+00') TO ('${next}-01 00:00:00+00')`,
      );
    }
    const columns = CHAT_EVENT_COLUMNS.join(', ');
    const types = CHAT_EVENT_COLUMNS.map((c) => `${c} ${columnType(c)}`).join(', ');
    const select = CHAT_EVENT_COLUMNS.map((c) => (c === 'sent_at' || c === 'received_at' ? epochMsSql(c) : c)).join(', ');
    for (let i = 0; i < events.length; i += ROWS_PER_INSERT) {
      await client.query(`INSERT INTO chat_events (${columns}) SELECT ${select} FROM jsonb_to_recordset($1::jsonb) AS x(${types})`, [
        JSON.stringify(events.slice(i, i + ROWS_PER_INSERT)),
      ]);
    }
  } finally {
    await client.end();
  }
}

function columnType(column: (typeof CHAT_EVENT_COLUMNS)[number]): string {
  switch (column) {
    case 'v':
      return 'smallint';
    case 'is_action':
      return 'boolean';
    case 'bits':
    case 'ban_duration_s':
      return 'integer';
    case 'badges':
      return 'text[]';
    case 'sent_at':
    case 'received_at':
      return 'bigint';
    case 'params':
    case 'tags':
      return 'jsonb';
    default:
      return 'text';
  }
}
