import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createChdbConnection } from 'chdb/connection';
import type { ChatEvent } from '../../core/events/chatEvent.ts';
import { readClickHouseChatEvents } from '../../core/sinks/clickhouse/readClickHouseChatEvents.ts';
import { ClickHouseSink } from '../../core/sinks/clickhouse/clickhouseSink.ts';
import { rowToChatEvent } from '../helpers/chatEvents.ts';
import { roundTripCorpus } from '../helpers/roundTripCorpus.ts';

// chdb allows one on-disk session per process; this file owns it.
const dir = mkdtempSync(join(tmpdir(), 'poglytics-chdb-roundtrip-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('ClickHouse compact layout: every event read back through the chat_events view', () => {
  const events = roundTripCorpus();
  const sink = new ClickHouseSink({
    sink: 'clickhouse',
    url: 'http://chdb.local:8123',
    connection: createChdbConnection({ path: join(dir, 'db') }),
  });
  const ready = (async () => {
    for (let i = 0; i < events.length; i += 5000) await sink.write(events.slice(i, i + 5000));
  })();
  after(() => sink.close());

  it('gives back raw byte for byte and every other field deeply equal (corpora, hostile text, mutated lines, odd events)', async () => {
    // Prepare
    await ready;
    const expected = new Map(events.map((e) => [e.event_id, e]));
    // Act
    const rows = await sink.query('SELECT * FROM chat_events');
    // Assess
    assert.equal(rows.length, events.length);
    for (const row of rows) {
      const want = expected.get(String(row.event_id));
      assert.ok(want, `unexpected ${String(row.event_id)}`);
      assert.equal(row.raw, want.raw, want.raw);
      assert.deepStrictEqual(rowToChatEvent(row), want, want.raw);
    }
  });

  it('gives back the same events through the fast read path, by channel and by user', async () => {
    // Prepare
    await ready;
    const expected = new Map(events.map((e) => [e.event_id, e]));
    const perChannel = new Map<string, number>();
    const perUser = new Map<string, ChatEvent[]>();
    for (const e of events) {
      perChannel.set(e.channel, (perChannel.get(e.channel) ?? 0) + 1);
      if (e.user_login !== null) perUser.set(e.user_login, [...(perUser.get(e.user_login) ?? []), e]);
    }
    // The 100 busiest channels (each read is two queries, ~80 ms in chdb; the view test above reads every event).
    const channels = [...perChannel].sort((a, b) => b[1] - a[1]).slice(0, 100);
    const ever = { from: 0, to: Date.UTC(2100, 0, 1) };
    // Act
    const read: ChatEvent[] = [];
    for (const [channel] of channels) read.push(...(await readClickHouseChatEvents(sink, { channel, ...ever })));
    const busiest = [...perUser].sort((a, b) => b[1].length - a[1].length)[0]!;
    const times = busiest[1].map((e) => e.sent_at).sort((a, b) => a - b);
    const from = times[Math.floor(times.length / 4)]!;
    const to = times[Math.floor((3 * times.length) / 4)]!;
    const userRead = await readClickHouseChatEvents(sink, { userLogin: busiest[0], from, to });
    // Assess
    assert.equal(
      read.length,
      channels.reduce((sum, [, n]) => sum + n, 0),
    );
    assert.ok(read.length > 0.6 * events.length, `${read.length} of ${events.length}`);
    for (const e of read) {
      const want = expected.get(e.event_id);
      assert.ok(want, `unexpected ${e.event_id}`);
      assert.equal(e.raw, want.raw, want.raw);
      assert.deepStrictEqual(e, want, want.raw);
    }
    const wanted = busiest[1].filter((e) => e.sent_at >= from && e.sent_at < to);
    assert.deepStrictEqual(userRead.map((e) => e.event_id).sort(), wanted.map((e) => e.event_id).sort());
    assert.ok(
      userRead.every((e, i) => i === 0 || userRead[i - 1]!.sent_at <= e.sent_at),
      'oldest first',
    );
  });

  it('took every storage path: lines rebuilt and stored whole, tags and params rebuilt and stored, each event id form', async () => {
    // Act
    await ready;
    const [paths] = await sink.query(
      `SELECT countIf(residual IS NULL) AS rebuilt, countIf(residual IS NOT NULL) AS whole,
              countIf(bitTest(own, 0)) AS own_tags, countIf(bitTest(own, 1)) AS own_params, countIf(own = 0) AS derived,
              countIf(event_id_form = '') AS uuid_ids, countIf(event_id_form = 'h:') AS hashed_ids,
              countIf(event_id_form NOT IN ('', 'h:')) AS text_ids
       FROM chat_event_rows`,
    );
    // Assess
    for (const [path, count] of Object.entries(paths!)) assert.ok(Number(count) > 0, `${path}: ${JSON.stringify(paths)}`);
    assert.ok(Number(paths!.rebuilt) > 0.9 * events.length, JSON.stringify(paths));
  });
});
