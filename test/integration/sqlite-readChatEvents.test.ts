import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { ChatEvent } from '../../core/events/chatEvent.ts';
import { compileTemplate } from '../../core/events/compiledTemplate.ts';
import { readChatEvents } from '../../core/sinks/sqlite/readChatEvents.ts';
import { openSqliteDatabase } from '../../core/sinks/sqlite/openSqliteDatabase.ts';
import { SqliteSink } from '../../core/sinks/sqlite/sqliteSink.ts';
import { roundTripCorpus } from '../helpers/roundTripCorpus.ts';

const EVER = { from: 0, to: Number.MAX_SAFE_INTEGER };
const dir = mkdtempSync(join(tmpdir(), 'poglytics-sqlite-read-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('readChatEvents: the fast read path of the compact SQLite layout', () => {
  const events = roundTripCorpus();
  const path = join(dir, 'read.db');
  const written = async () => {
    const sink = new SqliteSink({ sink: 'sqlite', path });
    await sink.migrate();
    for (let i = 0; i < events.length; i += 5000) await sink.write(events.slice(i, i + 5000));
    await sink.close();
    return openSqliteDatabase(path, { readonly: true });
  };
  const ready = written();
  after(async () => (await ready).close());

  it('gives back every event of every channel as written: raw byte for byte, every field deeply equal, tags and params in the same key order', async () => {
    // Prepare
    const db = await ready;
    const expected = new Map(events.map((e) => [e.event_id, e]));
    const channels = [...new Set(events.map((e) => e.channel))];
    // Act
    const read = channels.flatMap((channel) => readChatEvents(db, { channel, ...EVER }));
    // Assess
    assert.equal(read.length, events.length);
    for (const e of read) {
      const want = expected.get(e.event_id);
      assert.ok(want, `unexpected ${e.event_id}`);
      assert.equal(e.raw, want.raw, want.raw);
      assert.deepStrictEqual(e, want, want.raw);
      assert.equal(JSON.stringify([e.tags, e.params]), JSON.stringify([want.tags, want.params]), want.raw);
    }
    // Every way a row is stored and read was taken: a line stored whole, tags stored as JSON, and
    // templates whose tags are built from the template as well as ones whose line is parsed.
    const stored = db
      .prepare('SELECT count(residual) AS residual, count(tags_json) AS tags, count(params_json) AS params FROM chat_event_rows')
      .get() as Record<string, number>;
    assert.ok(stored.residual! > 0 && stored.tags! > 0 && stored.params! > 0, JSON.stringify(stored));
    const templates = (db.prepare('SELECT template FROM line_templates').pluck().all() as string[]).map(compileTemplate);
    assert.ok(templates.filter((t) => t.tags === undefined).length > 0);
    assert.ok(templates.filter((t) => t.tags !== undefined).length > templates.length / 2);
    assert.ok(events.some((e) => Object.hasOwn(e.tags, '__proto__')) && events.some((e) => Object.hasOwn(e.params, '__proto__')));
  });

  it("reads a user's time range, oldest first, and only that range", async () => {
    // Prepare
    const db = await ready;
    const bigints = openSqliteDatabase(path, { readonly: true }).defaultSafeIntegers(true);
    after(() => bigints.close());
    const byUser = new Map<string, ChatEvent[]>();
    for (const e of events) if (e.user_login !== null) byUser.set(e.user_login, [...(byUser.get(e.user_login) ?? []), e]);
    const busiest = [...byUser].sort((a, b) => b[1].length - a[1].length).slice(0, 20);
    for (const [userLogin, mine] of busiest) {
      const times = mine.map((e) => e.sent_at).sort((a, b) => a - b);
      const from = times[Math.floor(times.length / 4)]!;
      const to = times[Math.floor((3 * times.length) / 4)]!;
      // Act
      const read = readChatEvents(db, { userLogin, from, to });
      // Assess
      const want = mine.filter((e) => e.sent_at >= from && e.sent_at < to);
      assert.deepStrictEqual(new Map(read.map((e) => [e.event_id, e])), new Map(want.map((e) => [e.event_id, e])));
      assert.deepStrictEqual(readChatEvents(bigints, { userLogin, from, to }), read, 'a connection reading integers as bigints');
      assert.deepEqual(
        read.map((e) => e.sent_at),
        [...read.map((e) => e.sent_at)].sort((a, b) => a - b),
      );
    }
  });

  it('gives back an event_id stored as text as that text, also one of 32 hex digits like a stored UUID', async () => {
    // Prepare
    const textPath = join(dir, 'text-ids.db');
    const ids = [
      'ABCDEF0123456789ABCDEF0123456789',
      'abcdef0123456789abcdef0123456789',
      'ABCDEF01-2345-6789-ABCD-EF0123456789',
      'not-a-uuid',
    ];
    const channel = events[0]!.channel;
    const mine = events.filter((e) => e.channel === channel).slice(0, ids.length + 1);
    const stored = mine.map((e, i) => ({ ...structuredClone(e), event_id: ids[i] ?? e.event_id }));
    const sink = new SqliteSink({ sink: 'sqlite', path: textPath });
    await sink.migrate();
    await sink.write(stored);
    await sink.close();
    const db = openSqliteDatabase(textPath, { readonly: true });
    after(() => db.close());
    // Act
    const read = readChatEvents(db, { channel, ...EVER });
    // Assess
    assert.deepStrictEqual(new Map(read.map((e) => [e.event_id, e])), new Map(stored.map((e) => [e.event_id, e])));
  });
});
