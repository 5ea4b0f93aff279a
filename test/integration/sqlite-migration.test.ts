import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { ChatEvent } from '../../core/events/chatEvent.ts';
import { CATEGORY_VIEWS } from '../../core/sinks/categoryViews.ts';
import { openSqliteDatabase } from '../../core/sinks/sqlite/openSqliteDatabase.ts';
import { SqliteSink } from '../../core/sinks/sqlite/sqliteSink.ts';
import { expectedViewCounts, makeChatEvents, rowToChatEvent } from '../helpers/chatEvents.ts';
import { writeFirstLayoutDatabase } from '../helpers/firstLayoutSqlite.ts';
import { realEventsOnce } from '../helpers/rawCorpus.ts';

const dir = mkdtempSync(join(tmpdir(), 'poglytics-sqlite-migration-'));
after(() => rmSync(dir, { recursive: true, force: true }));

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

describe('upgrading a SQLite database written by the release before the compact layout', () => {
  it('keeps every event: each field of chat_events reads back as it was, raw byte for byte, and the old table is gone', async () => {
    // Prepare
    const path = join(dir, 'upgrade.db');
    const events = oldEvents();
    await writeFirstLayoutDatabase(path, events);
    const before = new Database(path, { readonly: true });
    const oldRows = byId(before.prepare('SELECT * FROM chat_events').all() as Record<string, unknown>[]);
    before.close();
    assert.equal(oldRows.size, events.length);
    // Act
    const sink = new SqliteSink({ sink: 'sqlite', path });
    await sink.migrate();
    const rows = byId(await sink.query('SELECT * FROM chat_events'));
    const versions = (await sink.query('SELECT version FROM schema_migrations ORDER BY version')).map((r) => r.version);
    const objects = await sink.query(
      "SELECT type, name FROM sqlite_master WHERE name LIKE 'chat_event%' AND type IN ('table', 'view') ORDER BY name",
    );
    const viewCounts = Object.fromEntries(
      await Promise.all(
        CATEGORY_VIEWS.map(async ({ name }) => [name, Number((await sink.query(`SELECT count(*) AS n FROM ${name}`))[0]!.n)]),
      ),
    );
    const stored = (await sink.query('SELECT count(residual) AS residual, count(tags_json) AS tags FROM chat_event_rows'))[0]!;
    await sink.close();
    // Assess
    assert.deepEqual(versions, [1, 2, 3, 4]);
    // Version 4's full-text index is an FTS5 table with its shadow tables (filled: test/integration/api-search.test.ts).
    assert.deepEqual(objects, [
      { type: 'table', name: 'chat_event_rows' },
      { type: 'table', name: 'chat_event_text' },
      { type: 'table', name: 'chat_event_text_config' },
      { type: 'table', name: 'chat_event_text_data' },
      { type: 'table', name: 'chat_event_text_docsize' },
      { type: 'table', name: 'chat_event_text_idx' },
      { type: 'view', name: 'chat_events' },
    ]);
    assert.equal(rows.size, events.length);
    for (const e of events) {
      assert.deepEqual(rows.get(e.event_id), oldRows.get(e.event_id), e.event_id);
      assert.deepEqual(rows.get(e.event_id), e, e.event_id);
    }
    assert.deepEqual(viewCounts, expectedViewCounts(events));
    assert.deepEqual(stored, { residual: 1, tags: 3 }); // only the line holding \x1f is stored whole
  });

  it('reads the upgraded database from a read-only connection opened with openSqliteDatabase', async () => {
    const path = join(dir, 'upgrade.db');
    const db = openSqliteDatabase(path, { readonly: true });
    try {
      const raws = db.prepare('SELECT raw FROM chat_events WHERE channel = ? ORDER BY sent_at').pluck().all(realEvents[0]!.channel);
      assert.deepEqual(
        raws,
        realEvents
          .filter((e) => e.channel === realEvents[0]!.channel)
          .sort((a, b) => a.sent_at - b.sent_at)
          .map((e) => e.raw),
      );
    } finally {
      db.close();
    }
  });

  it('leaves the database as it was when a row cannot be copied exactly', async () => {
    // Prepare: a row the first layout accepted that the copy cannot hold (is_action 2, not a boolean).
    const path = join(dir, 'corrupt.db');
    const events = makeChatEvents(3000, { seed: 8 });
    await writeFirstLayoutDatabase(path, events);
    const raw = new Database(path);
    raw.prepare('UPDATE chat_events SET is_action = 2 WHERE event_id = ?').run(events[2500]!.event_id);
    raw.close();
    // Act
    const sink = new SqliteSink({ sink: 'sqlite', path });
    await assert.rejects(sink.migrate(), (error: Error) =>
      /different is_action; the old table is kept/.test(String((error.cause as Error)?.message ?? error.message)),
    );
    await sink.close();
    // Assess
    const after = new Database(path, { readonly: true });
    const versions = after.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all();
    const count = after.prepare('SELECT count(*) FROM chat_events').pluck().get();
    const tables = after
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'chat_event%' ORDER BY name")
      .pluck()
      .all();
    after.close();
    assert.deepEqual(versions, [1, 2]);
    assert.equal(count, events.length);
    assert.deepEqual(tables, ['chat_events']);
  });
});
