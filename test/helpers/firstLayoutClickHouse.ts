import type { ChatEvent } from '../../core/events/chatEvent.ts';
import { ClickHouseSink } from '../../core/sinks/clickhouse/clickhouseSink.ts';
import { CLICKHOUSE_MIGRATIONS } from '../../core/sinks/clickhouse/clickhouseMigrations.ts';
import { clickhouseTime } from '../../core/sinks/clickhouse/clickhouseTime.ts';
import type { ClickHouseSinkConfig } from '../../core/sinks/types.ts';

const ROWS_PER_INSERT = 5000;

/**
 * A ClickHouse database as the release before the compact layout wrote it: its migrations
 * (versions 1 and 2, still the first entries of CLICKHOUSE_MIGRATIONS) and its chat row (every
 * field as the contract has it, timestamps as DateTime64 text), copied from that release's
 * clickhouseSink.ts, inserted with plain SQL. `repeats` are inserted once more in their own
 * insert: copies a ReplacingMergeTree has not merged yet.
 */
export async function writeFirstLayoutClickHouse(
  config: ClickHouseSinkConfig,
  events: readonly ChatEvent[],
  repeats: readonly ChatEvent[] = [],
): Promise<void> {
  const sink = new ClickHouseSink(
    config,
    CLICKHOUSE_MIGRATIONS.filter((m) => m.version <= 2),
  );
  try {
    await sink.migrate();
    const batches = [...chunks(events), ...chunks(repeats)];
    for (const [i, batch] of batches.entries()) {
      const rows = batch.map((e) =>
        JSON.stringify({ ...e, sent_at: clickhouseTime(e.sent_at), received_at: clickhouseTime(e.received_at) }),
      );
      await sink.query(
        `INSERT INTO chat_events SETTINGS insert_deduplication_token = 'first-layout-${i}' FORMAT JSONEachRow ${rows.join('\n')}`,
      );
    }
  } finally {
    await sink.close();
  }
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += ROWS_PER_INSERT) out.push(items.slice(i, i + ROWS_PER_INSERT));
  return out;
}
