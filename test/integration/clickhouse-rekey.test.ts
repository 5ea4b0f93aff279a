import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { ChatEvent } from '../../core/events/chatEvent.ts';
import { MigrationVerifyError } from '../../core/errors.ts';
import { CATEGORY_VIEWS } from '../../core/sinks/categoryViews.ts';
import { CLICKHOUSE_MIGRATIONS, type ClickHouseMigration } from '../../core/sinks/clickhouse/clickhouseMigrations.ts';
import { ClickHouseSink } from '../../core/sinks/clickhouse/clickhouseSink.ts';
import type { ClickHouseMigrationContext } from '../../core/sinks/clickhouse/migrateToLineParts.ts';
import { CHAT_EVENT_ROWS_KEY, REKEY_NEW, rekeyChatEventRows } from '../../core/sinks/clickhouse/rekeyChatEventRows.ts';
import { makeChatEvents, rowToChatEvent } from '../helpers/chatEvents.ts';
import { realEventsOnce } from '../helpers/rawCorpus.ts';
import { scratchChdbConfig } from '../helpers/perRequestChdb.ts';

/**
 * Migration 7 (core/sinks/clickhouse/rekeyChatEventRows.ts) on a database at version 5, as main
 * wrote it before migrations 6 and 7 (the stored words, their index and the per-user projection):
 * chat_event_rows copied into a table sorted by (channel, day, user, sent_at), verified, swapped.
 */
const config = scratchChdbConfig('poglytics-chdb-rekey-');

async function withSink<T>(migrations: readonly ClickHouseMigration[], run: (sink: ClickHouseSink) => Promise<T>): Promise<T> {
  const sink = new ClickHouseSink(config(), migrations);
  try {
    return await run(sink);
  } finally {
    await sink.close();
  }
}

const realEvents = realEventsOnce();

/** Real lines and the factory's events over several months (several partitions), events of no user among them. */
const events: ChatEvent[] = [...realEvents, ...makeChatEvents(12_000, { seed: 9, hostileShare: 0.05 })].map((e, i) =>
  i % 3 === 0 ? { ...e, sent_at: e.sent_at - (i % 5) * 40 * 86_400_000, received_at: e.received_at - (i % 5) * 40 * 86_400_000 } : e,
);

const byId = (rows: Record<string, unknown>[]) => new Map(rows.map((r) => [String(r.event_id), rowToChatEvent(r)]));

async function state(sink: ClickHouseSink) {
  const rows = byId(await sink.query('SELECT * FROM chat_events'));
  const count = Number((await sink.query('SELECT count() AS n FROM chat_events'))[0]?.n);
  const views: Record<string, number> = {};
  for (const { name } of CATEGORY_VIEWS) views[name] = Number((await sink.query(`SELECT count() AS n FROM ${name}`))[0]?.n);
  const tables = await sink.query(
    "SELECT name, sorting_key FROM system.tables WHERE database = currentDatabase() AND name LIKE 'chat_event%' ORDER BY name",
  );
  const versions = (await sink.query('SELECT version FROM schema_migrations FINAL ORDER BY version')).map((r) => Number(r.version));
  return { rows, count, views, tables, versions };
}

/** Migration 7 whose copy is spoilt by `spoil` right after each month is inserted. */
function spoilt(spoil: (context: ClickHouseMigrationContext) => Promise<void>): ClickHouseMigration {
  return {
    ...CLICKHOUSE_MIGRATIONS[6]!,
    apply: (context) =>
      rekeyChatEventRows({
        ...context,
        command: async (query) => {
          await context.command(query);
          if (query.trimStart().startsWith(`INSERT INTO ${REKEY_NEW}`)) await spoil(context);
        },
      }),
  };
}

describe('migration 7: chat_event_rows sorted by channel, day, user and time, from a database at version 5', () => {
  let before5: Awaited<ReturnType<typeof state>>;
  before(async () => {
    before5 = await withSink(
      CLICKHOUSE_MIGRATIONS.filter((m) => m.version <= 5),
      async (sink) => {
        await sink.migrate();
        for (let i = 0; i < events.length; i += 4000) await sink.write(events.slice(i, i + 4000));
        // Copies of some events in a part of their own, not merged yet: the copy reads FINAL.
        await sink.query(
          "INSERT INTO chat_event_rows SETTINGS insert_deduplication_token = 'repeats' SELECT * FROM chat_event_rows ORDER BY event_uuid LIMIT 50",
        );
        return state(sink);
      },
    );
  });

  it('is the data this file starts from: every event once, in several months, at version 5', () => {
    assert.equal(before5.count, events.length);
    assert.deepEqual(before5.versions, [1, 2, 3, 4, 5]);
    assert.ok(new Set(events.map((e) => new Date(e.sent_at).toISOString().slice(0, 7))).size >= 4);
    assert.ok(events.some((e) => e.user_login === null));
  });

  for (const [what, spoil, message] of [
    [
      'loses a row',
      (c: ClickHouseMigrationContext) =>
        c.command(
          `ALTER TABLE ${REKEY_NEW} DELETE WHERE event_uuid IN (SELECT event_uuid FROM ${REKEY_NEW} ORDER BY event_uuid LIMIT 1) SETTINGS mutations_sync = 2`,
        ),
      /chat_event_rows holds \d+ events WHERE _partition_id = '\d+', chat_event_rows_by_day \d+; chat_event_rows is kept/,
    ],
    [
      'changes a text',
      (c: ClickHouseMigrationContext) =>
        c.command(
          `ALTER TABLE ${REKEY_NEW} UPDATE text = concat(text, '!') WHERE event_uuid IN (SELECT event_uuid FROM ${REKEY_NEW} WHERE text IS NOT NULL ORDER BY event_uuid LIMIT 1) SETTINGS mutations_sync = 2`,
        ),
      /chat_event_rows holds (\d+) events WHERE _partition_id = '\d+', chat_event_rows_by_day \1 with other contents; chat_event_rows is kept/,
    ],
  ] as const) {
    it(`keeps chat_event_rows as it was when the copy of a month ${what}, and says so`, async () => {
      // Act
      const error = await withSink([...CLICKHOUSE_MIGRATIONS.slice(0, 6), spoilt(spoil)], (sink) =>
        sink.migrate().catch((e: unknown) => e),
      );
      const outcome = await withSink(CLICKHOUSE_MIGRATIONS.slice(0, 6), state);
      // Assess
      assert.ok(error instanceof MigrationVerifyError, String(error));
      assert.match(error.message, message);
      assert.deepEqual(outcome.versions, [1, 2, 3, 4, 5, 6]);
      assert.equal(outcome.count, events.length);
      assert.deepEqual(outcome.rows, before5.rows);
      assert.deepEqual(
        outcome.tables.find((t) => t.name === 'chat_event_rows'),
        { name: 'chat_event_rows', sorting_key: 'channel, sent_at, event_uuid' },
      );
    });
  }

  it('then upgrades on the next start: every event as it was, the views the same, the new sort key, the old table gone', async () => {
    // Act
    const after = await withSink(CLICKHOUSE_MIGRATIONS, async (sink) => {
      await sink.migrate();
      return state(sink);
    });
    // Assess
    assert.equal(after.count, events.length, 'each event once');
    assert.equal(after.rows.size, events.length);
    for (const [id, row] of before5.rows) assert.deepStrictEqual(after.rows.get(id), row, id);
    assert.deepEqual(after.views, before5.views);
    assert.deepEqual(after.versions, [1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(after.tables, [
      { name: 'chat_event_rows', sorting_key: CHAT_EVENT_ROWS_KEY },
      { name: 'chat_events', sorting_key: '' },
    ]);
  });
});
