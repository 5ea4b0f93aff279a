import { MigrationVerifyError } from '../../errors.ts';
import { CHAT_EVENT_LAYOUT_STATEMENTS, CHAT_EVENT_ROWS_COLUMNS } from './clickhouseLayout.ts';
import { SEARCH_TOKENS_INDEX, SEARCH_TOKENS_SQL, UNICODE_WORDS_COLUMN, UNICODE_WORDS_SQL } from './clickhouseSearchIndex.ts';
import type { ClickHouseMigrationContext } from './migrateToLineParts.ts';

/** The sort key of migration 7: a channel's day, then each user's rows of it together. */
export const CHAT_EVENT_ROWS_KEY = 'channel, toDate(sent_at), user_login, sent_at, event_uuid';

/** Where the copy is written before the swap, and where the old table goes until it is dropped. */
export const REKEY_NEW = 'chat_event_rows_by_day';
export const REKEY_OLD = 'chat_event_rows_by_time';

/**
 * chat_event_rows as migration 7 makes it: the columns and indexes of migrations 3 and 6 (the
 * non-ASCII words and the token bloom filter of clickhouseSearchIndex.ts), ordered by
 * CHAT_EVENT_ROWS_KEY. The key still holds channel, sent_at and event_uuid, and user_login and
 * toDate(sent_at) are functions of the event, so copies of an event still share a key and merges
 * still collapse them (ReplacingMergeTree). user_login is Nullable (events of no user: notices,
 * clears), hence allow_nullable_key; NULL sorts last within the day. Granules of 2,048 rows, not
 * 8,192: a search reads whole granules, of a user's rows of each day (a heavy chatter's rows of a
 * day are one or two of 8,192, with other users' rows around them) and of each match's columns.
 * On bench/chdbSearch.ts's 10,000,000 events, a user's rare phrase (100 matches over 116 days)
 * went from 267-346 ms to 216-258, for 0.4 B/event more (30.5 → 30.9 there; marks). A part of
 * 1 MB and more is wide (min_bytes_for_wide_part; the default is 10 MB): a compact part
 * compresses each column of each granule alone, which at 2,048 rows cost the quick sinks bench
 * 3.9 B/event (61.1 against 57.2 at 8,192), where a wide part's compressed blocks span granules
 * (57.9). Smaller parts (an insert of under ~3,500 events) stay compact: making every part wide
 * slowed chdb's deletes and merges of many small parts several times (the opt-out test under
 * load timed out). The skip indexes keep the rows they summed up before (GRANULARITY 4 and 16:
 * 8,192 and 32,768 rows), so their bytes stay as they were.
 */
export const CHAT_EVENT_ROWS_BY_DAY_TABLE = (name: string) => `CREATE TABLE IF NOT EXISTS ${name} (${CHAT_EVENT_ROWS_COLUMNS},
  ${UNICODE_WORDS_COLUMN} String MATERIALIZED ${UNICODE_WORDS_SQL} CODEC(ZSTD(9)),
  INDEX user_login_bf user_login TYPE bloom_filter(0.01) GRANULARITY 16,
  INDEX ${SEARCH_TOKENS_INDEX} (${SEARCH_TOKENS_SQL}) TYPE tokenbf_v1(32768, 3, 0) GRANULARITY 4
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(sent_at)
PRIMARY KEY (channel, toDate(sent_at), user_login, sent_at)
ORDER BY (${CHAT_EVENT_ROWS_KEY})
SETTINGS non_replicated_deduplication_window = 10000, allow_nullable_key = 1, index_granularity = 2048, min_bytes_for_wide_part = 1048576`;

/** The stored columns (not the MATERIALIZED words, which the new table computes again). */
const STORED = CHAT_EVENT_ROWS_COLUMNS.split('\n')
  .map((line) => line.trim().split(' ')[0]!)
  .filter(Boolean);

/** Each event once (FINAL): a count and an order-free hash of every stored column (a tuple: cityHash64 of a NULL is NULL). */
const fingerprintSql = (table: string, where: string) =>
  `SELECT count() AS n, toString(sum(cityHash64(tuple(${STORED.join(', ')})))) AS h FROM ${table} FINAL ${where}`;

async function sortingKey(context: ClickHouseMigrationContext, table: string): Promise<string | undefined> {
  const [row] = await context.rows<{ sorting_key: string }>(
    'SELECT sorting_key FROM system.tables WHERE database = currentDatabase() AND name = {table:String}',
    { table },
  );
  return row?.sorting_key;
}

async function sameRows(context: ClickHouseMigrationContext, from: string, to: string, where = ''): Promise<string | undefined> {
  const [old] = await context.rows<{ n: number | string; h: string }>(fingerprintSql(from, where));
  const [now] = await context.rows<{ n: number | string; h: string }>(fingerprintSql(to, where));
  if (Number(old?.n) === Number(now?.n) && old?.h === now?.h) return undefined;
  return `${from} holds ${old?.n} events${where ? ` ${where}` : ''}, ${to} ${now?.n}${old?.n === now?.n ? ' with other contents' : ''}`;
}

/**
 * Migration 7: chat_event_rows re-sorted by CHAT_EVENT_ROWS_KEY, as a table copy (a sort key
 * cannot be altered). The new table is made empty beside the old one and filled a month
 * (partition) at a time from the old one FINAL, each month first emptied in the new table (so
 * that a run resumed after a failure copies it again, once) and then compared with the old one:
 * the count and a hash of every stored column of each event. Only when every month and then the
 * whole table are equal are the tables swapped (the old one renamed chat_event_rows_by_time, the
 * new one chat_event_rows), the views made again on the new one and the old table dropped; any
 * difference throws and keeps chat_event_rows as it was. A run that stopped after the swap
 * finds chat_event_rows already sorted so and drops the old table, compared before the swap.
 * Writers are stopped while migrations run (a row written to the old table between the last
 * comparison and the swap would not be copied).
 */
export async function rekeyChatEventRows(context: ClickHouseMigrationContext): Promise<void> {
  const key = await sortingKey(context, 'chat_event_rows');
  if (key !== CHAT_EVENT_ROWS_KEY) {
    await context.command(CHAT_EVENT_ROWS_BY_DAY_TABLE(REKEY_NEW));
    const partitions = await context.rows<{ partition_id: string }>(
      `SELECT DISTINCT partition_id FROM system.parts
       WHERE database = currentDatabase() AND table = 'chat_event_rows' AND active ORDER BY partition_id`,
    );
    // Chosen once per run: a resumed run's insert of the same month must not be dropped as a repeat.
    const run = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
    for (const { partition_id } of partitions) {
      const where = `WHERE _partition_id = '${partition_id}'`;
      await context.command(`ALTER TABLE ${REKEY_NEW} DROP PARTITION ID '${partition_id}'`);
      await context.command(
        `INSERT INTO ${REKEY_NEW} (${STORED.join(', ')})
         SETTINGS insert_deduplication_token = 'rekey-${run}-${partition_id}'
         SELECT ${STORED.join(', ')} FROM chat_event_rows FINAL ${where}`,
      );
      const differs = await sameRows(context, 'chat_event_rows', REKEY_NEW, where);
      if (differs !== undefined) throw new MigrationVerifyError(`${differs}; chat_event_rows is kept`);
    }
    const differs = await sameRows(context, 'chat_event_rows', REKEY_NEW);
    if (differs !== undefined) throw new MigrationVerifyError(`${differs}; chat_event_rows is kept`);
    await context.command(`RENAME TABLE chat_event_rows TO ${REKEY_OLD}, ${REKEY_NEW} TO chat_event_rows`);
  }
  // The views name chat_event_rows: made again on the table that has the name now.
  for (const statement of CHAT_EVENT_LAYOUT_STATEMENTS.slice(1)) await context.command(statement);
  // Renamed only after the comparison above (in this run or in one that stopped right after the swap).
  await context.command(`DROP TABLE IF EXISTS ${REKEY_OLD}`);
}
