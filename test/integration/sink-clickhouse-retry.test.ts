import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createSink } from '../../core/sinks/createSink.ts';
import type { Sink } from '../../core/sinks/types.ts';
import { makeChatEvents } from '../helpers/chatEvents.ts';
import { perRequestChdb, type PerRequestChdb } from '../helpers/perRequestChdb.ts';

// chdb allows one on-disk session per process; this file owns it. Settings apply per request, as
// on a ClickHouse server over HTTP, so a dedup token cannot be inherited from an earlier insert.
const dir = mkdtempSync(join(tmpdir(), 'poglytics-chdb-retry-'));

describe('ClickHouse sink retries with per-request settings', () => {
  let chdb: PerRequestChdb;
  let sink: Sink;
  const count = async (ids: string[]) =>
    Number((await sink.query('SELECT count() AS n FROM chat_events WHERE event_id IN {p1:Array(String)}', [ids]))[0]?.n);

  before(async () => {
    chdb = perRequestChdb(dir);
    sink = createSink({ sink: 'clickhouse', url: 'http://chdb.local:8123', connection: chdb.connection });
    await sink.migrate();
  });
  after(async () => {
    await sink?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends every insert with a token derived from its event ids, the same for the same events', async () => {
    // Prepare
    const first = makeChatEvents(20, { seed: 1 });
    const second = makeChatEvents(20, { seed: 2 });
    const from = chdb.inserts.length;
    // Act
    await sink.write(first);
    await sink.write(second);
    const again = await sink.write(first);
    // Assess
    assert.deepEqual(again, { inserted: 0, duplicates: 20 }, 'a batch already stored is counted as duplicates and not sent');
    const seen = chdb.inserts.slice(from);
    assert.deepEqual(
      seen.map((i) => i.table),
      ['chat_event_rows', 'chat_event_rows'],
    );
    for (const insert of seen) assert.match(insert.token ?? '(none)', /^[0-9a-f]{64}$/, 'an insert without its own dedup token');
    assert.notEqual(seen[0]!.token, seen[1]!.token);
    assert.equal(await count(first.map((e) => e.event_id)), 20);
    assert.equal(await count(second.map((e) => e.event_id)), 20, 'the second batch must not be dropped as a repeat of the first');
  });

  it('stores a batch once when the first attempt lands after the retry looked for it (lost response)', async () => {
    // Prepare: the first attempt's response is lost; it reaches the server only after the
    // retry's existence lookup found nothing, just before the retry's own insert.
    const batch = makeChatEvents(30, { seed: 3 });
    const ids = batch.map((e) => e.event_id);
    chdb.loseNextInsertResponse();
    const from = chdb.inserts.length;
    // Act
    const firstAttempt = await sink.write(batch).catch((error: unknown) => error);
    const retry = await sink.write(batch);
    // Assess
    assert.ok(firstAttempt instanceof Error, 'the first attempt must fail');
    assert.equal(retry.inserted + retry.duplicates, batch.length);
    const [late, again] = chdb.inserts.slice(from);
    assert.ok(late && again, 'both attempts reach the server');
    assert.ok(late.token, 'the first attempt carries a dedup token');
    assert.equal(again.token, late.token, 'the retry carries the token of the first attempt');
    assert.equal(await count(ids), batch.length, 'the server stored the batch twice');
  });
});
