import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatEvent } from '../../core/events/chatEvent.ts';
import { MigrationVerifyError } from '../../core/errors.ts';
import { CATEGORY_VIEWS } from '../../core/sinks/categoryViews.ts';
import { CLICKHOUSE_MIGRATIONS, type ClickHouseMigration } from '../../core/sinks/clickhouse/clickhouseMigrations.ts';
import { ClickHouseSink } from '../../core/sinks/clickhouse/clickhouseSink.ts';
import { migrateToLineParts } from '../../core/sinks/clickhouse/migrateToLineParts.ts';
import { expectedViewCounts, makeChatEvents, rowToChatEvent } from '../helpers/chatEvents.ts';
import { writeFirstLayoutClickHouse } from '../helpers/firstLayoutClickHouse.ts';
import { realEventsOnce } from '../helpers/rawCorpus.ts';
import { scratchChdbConfig } from '../helpers/perRequestChdb.ts';

const config = scratchChdbConfig('poglytics-chdb-migration-');

const realEvents = realEventsOnce();

/** Everything an older release may hold: real lines, the factory's events, and events whose tags or raw are not a line's. */
function oldEvents(): ChatEvent[] {
  const made = makeChatEvents(20_000, { seed: 5, hostileShare: 0.05 });
  const odd: ChatEvent[] = made.slice(0, 3).map((e, i) => ({
    ...e,
    event_id: `odd-${i}`,
    raw: ['not an irc line', `@x=y :u PRIVMSG #c :${e.text ?? ''}`, '@a=1;a=2 :u!u@u.tmi.twitch.tv PRIVMSG #c :\x1f'][i]!,
    tags: { changed: String(i) },
    params: { p: 'q' },
    badges: ['a,b', '', '[x'],
    user_id: '007',
  }));
  return [...realEvents, ...made, ...odd];
}

const byId = (rows: Record<string, unknown>[]) => new Map(rows.map((r) => [String(r.event_id), rowToChatEvent(r)]));

async function withSink<T>(migrations: readonly ClickHouseMigration[], run: (sink: ClickHouseSink) => Promise<T>): Promise<T> {
  const sink = new ClickHouseSink(config(), migrations);
  try {
    return await run(sink);
  } finally {
    await sink.close();
  }
}

const tables = (sink: ClickHouseSink) =>
  sink.query("SELECT name, engine FROM system.tables WHERE database = currentDatabase() AND name LIKE 'chat_event%' ORDER BY name");

describe('upgrading a ClickHouse database written by the release before the compact layout', () => {
  const events = oldEvents();
  // Copies of a few events in a later insert, not merged yet: the copy reads the old table FINAL.
  const ready = writeFirstLayoutClickHouse(config(), events, events.slice(100, 110));

  it('keeps the old table when the copy does not read back equal, and says which event differs', async () => {
    // Prepare: a migration whose copy loses the first event of each page.
    await ready;
    const lossy: ClickHouseMigration = {
      ...CLICKHOUSE_MIGRATIONS[2]!,
      apply: (context) => migrateToLineParts({ ...context, insertChatEvents: (page) => context.insertChatEvents(page.slice(1)) }),
    };
    // Act
    const error = await withSink([...CLICKHOUSE_MIGRATIONS.slice(0, 2), lossy], (sink) => sink.migrate().catch((e: unknown) => e));
    // Inspected by a sink that knows only the migrations it found applied.
    const outcome = await withSink(CLICKHOUSE_MIGRATIONS.slice(0, 2), async (sink) => {
      const oldCount = await sink.query('SELECT count() AS n FROM chat_events_v1 FINAL');
      const versions = await sink.query('SELECT version FROM schema_migrations FINAL ORDER BY version');
      return { error, oldCount: Number(oldCount[0]?.n), versions: versions.map((r) => Number(r.version)) };
    });
    // Assess
    assert.ok(outcome.error instanceof MigrationVerifyError, String(outcome.error));
    assert.match(outcome.error.message, /reads back with a different row; chat_events_v1 is kept/);
    assert.equal(outcome.oldCount, events.length);
    assert.deepEqual(outcome.versions, [1, 2]);
  });

  it('then upgrades on the next start: every field of chat_events reads back as it was, raw byte for byte, and the old table is gone', async () => {
    // Prepare
    await ready;
    // Act
    const after = await withSink(CLICKHOUSE_MIGRATIONS, async (sink) => {
      await sink.migrate();
      const rows = byId(await sink.query('SELECT * FROM chat_events'));
      const count = Number((await sink.query('SELECT count() AS n FROM chat_events'))[0]?.n);
      const versions = (await sink.query('SELECT version FROM schema_migrations FINAL ORDER BY version')).map((r) => Number(r.version));
      const views: Record<string, number> = {};
      for (const { name } of CATEGORY_VIEWS) views[name] = Number((await sink.query(`SELECT count() AS n FROM ${name}`))[0]?.n);
      return { rows, count, versions, views, tables: await tables(sink) };
    });
    // Assess
    assert.equal(after.count, events.length, 'each event once');
    assert.equal(after.rows.size, events.length);
    for (const event of events) {
      const row = after.rows.get(event.event_id);
      assert.equal(row?.raw, event.raw, event.raw);
      assert.deepStrictEqual(row, event, event.raw);
    }
    assert.deepEqual(after.versions, [1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(after.views, expectedViewCounts(events));
    assert.deepEqual(after.tables, [
      { name: 'chat_event_rows', engine: 'ReplacingMergeTree' },
      { name: 'chat_events', engine: 'View' },
    ]);
  });
});
