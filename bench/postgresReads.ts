import pg from 'pg';
import type { ChatEvent } from '../core/events/chatEvent.ts';
import { postgresReader } from '../core/read/postgresReader.ts';
import { POSTGRES_READER, READ_COLUMNS } from '../core/read/sqlChatReader.ts';
import { createSink } from '../core/sinks/createSink.ts';
import type { Sink } from '../core/sinks/types.ts';
import { writeFirstLayoutPostgres } from '../test/helpers/firstLayoutPostgres.ts';
import { bestMs, BUSY_DAY, busiestUserMonth, busyChannelDay, DAY, MONTH } from './readBench.ts';

const BY_CHANNEL =
  'SELECT * FROM chat_events WHERE channel = $1 AND sent_at >= to_timestamp($2 / 1000.0) AND sent_at < to_timestamp($3 / 1000.0) ORDER BY sent_at';
const BY_USER =
  'SELECT * FROM chat_events WHERE user_login = $1 AND sent_at >= to_timestamp($2 / 1000.0) AND sent_at < to_timestamp($3 / 1000.0) ORDER BY sent_at';

/** The read API's path (postgresReader.ts): a range from chat_event_parts, raw and tags rebuilt in TypeScript. */
async function readParts(sink: Sink, where: string, args: unknown[]): Promise<number> {
  const pages = postgresReader().pages!;
  const rows = await sink.query(
    `SELECT ${READ_COLUMNS}, ${pages.columns}, ${POSTGRES_READER.sentMs} AS sent_ms FROM ${pages.from} WHERE ${where} AND sent_at >= to_timestamp($2 / 1000.0) AND sent_at < to_timestamp($3 / 1000.0) ORDER BY sent_at`,
    args,
  );
  return (await pages.toStored(rows, sink)).length;
}

/**
 * The two common reads of issue 16 on Postgres, every field of every event (`SELECT *` through
 * the driver, raw and tags included): a channel-day of 100,000 events (generated for one channel
 * and one day on top of the bench's events) and the busiest user's month, on the compact layout
 * and on the first layout (every field stored) loaded with the same events in the same run:
 * - query.postgres.*_ms: the read API's path (chat_event_parts, raw and tags rebuilt in TypeScript),
 *   a new reader each read, so its templates are fetched and compiled each time (a service's first read);
 * - query.postgres.*_view_ms: `SELECT *` from the chat_events view (plain SQL);
 * - query.postgres.*_ms_first_layout: `SELECT *` from the first layout's table.
 */
export async function postgresReadFigures(
  dbUrl: (name: string) => string,
  admin: pg.Client,
  events: readonly ChatEvent[],
  rounds: number,
): Promise<Record<string, number>> {
  const busyDay = busyChannelDay();
  const all = [...events, ...busyDay];
  for (const db of ['bench_reads', 'bench_reads_first']) {
    await admin.query(`DROP DATABASE IF EXISTS ${db}`);
    await admin.query(`CREATE DATABASE ${db}`);
  }
  const sink = createSink({ sink: 'postgres', connectionString: dbUrl('bench_reads') });
  for (let i = 0; i < all.length; i += 5000) await sink.write(all.slice(i, i + 5000));
  await sink.query('VACUUM ANALYZE chat_event_rows');
  await sink.close();
  await writeFirstLayoutPostgres(dbUrl('bench_reads_first'), all);

  const { user, from: userStart } = busiestUserMonth(all);
  const channelArgs = ['channel_0', BUSY_DAY, BUSY_DAY + DAY];
  const userArgs = [user, userStart, userStart + MONTH];

  const reads = async (name: string, rounds: number) => {
    const client = new pg.Client(dbUrl(name));
    await client.connect();
    try {
      if (name === 'bench_reads_first') await client.query('VACUUM ANALYZE chat_events');
      return {
        channelDay: await bestMs(rounds, () => client.query(BY_CHANNEL, channelArgs)),
        userMonth: await bestMs(rounds, () => client.query(BY_USER, userArgs)),
        channelRows: (await client.query(BY_CHANNEL, channelArgs)).rowCount ?? 0,
        userRows: (await client.query(BY_USER, userArgs)).rowCount ?? 0,
      };
    } finally {
      await client.end();
    }
  };
  // The view is a few times slower: one timed round keeps the bench short.
  const compact = await reads('bench_reads', 1);
  const partsSink = createSink({ sink: 'postgres', connectionString: dbUrl('bench_reads') });
  const parts = {
    channelDay: await bestMs(rounds, () => readParts(partsSink, 'channel = $1', channelArgs)),
    userMonth: await bestMs(rounds, () => readParts(partsSink, 'user_login = $1', userArgs)),
    channelRows: await readParts(partsSink, 'channel = $1', channelArgs),
  };
  await partsSink.close();
  const first = await reads('bench_reads_first', rounds);
  if (compact.channelRows !== first.channelRows || compact.userRows !== first.userRows || parts.channelRows !== first.channelRows) {
    throw new Error(
      `the layouts read different row counts: ${compact.channelRows}/${compact.userRows}, first ${first.channelRows}/${first.userRows}`,
    );
  }
  return {
    'query.postgres.channel_day_ms': parts.channelDay,
    'query.postgres.channel_day_view_ms': compact.channelDay,
    'query.postgres.channel_day_ms_first_layout': first.channelDay,
    'query.postgres.channel_day_rows': compact.channelRows,
    'query.postgres.user_month_ms': parts.userMonth,
    'query.postgres.user_month_view_ms': compact.userMonth,
    'query.postgres.user_month_ms_first_layout': first.userMonth,
    'query.postgres.user_month_rows': compact.userRows,
  };
}
