import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openSqliteDatabase } from '../../core/sinks/sqlite/openSqliteDatabase.ts';
import { directoryDeadLetter } from '../../core/deadletter/directoryDeadLetter.ts';
import { RecordEncoder } from '../../core/events/kinesisRecordCodec.ts';
import { createLogger } from '../../core/log.ts';
import { toLambdaRecord } from '../../services/local/kinesisEventSourceMapping.ts';
import { onFailureToDeadLetter } from '../../services/local/onFailureToDeadLetter.ts';
import { makeChatEvents } from '../helpers/chatEvents.ts';

const SHARD = 'shardId-000000000000';

function redrive(dl: string, dbPath: string) {
  const result = spawnSync(process.execPath, ['bin/poglytics.js', 'redrive', '--dir', dl], {
    env: { ...process.env, SQLITE_PATH: dbPath, SINK: 'sqlite', DATABASE_URL: '', CLICKHOUSE_URL: '' },
    encoding: 'utf8',
  });
  const summary = /(\d+) items · (\d+) events stored · (\d+) duplicates · (\d+) still failing · (\d+) items moved/.exec(result.stderr);
  assert.ok(summary, result.stderr);
  const [, items, stored, duplicates, failing, moved] = summary.map<number>(Number);
  return { code: result.status, stderr: result.stderr, items, stored, duplicates, failing, moved };
}

describe('poglytics redrive', () => {
  it('stores on-failure records, per-event entries and Lambda invocation records once, moves them aside, and leaves what still fails', async () => {
    // Prepare: a dead letter as the local runner and Lambda leave it
    const root = mkdtempSync(join(tmpdir(), 'poglytics-redrive-'));
    const dl = join(root, 'dead-letter');
    const dbPath = join(root, 'events.db');
    try {
      const encoder = new RecordEncoder({ targetBytes: 1024 * 1024 });
      const onFailureEvents = makeChatEvents(100, { seed: 21 });
      const record = toLambdaRecord(
        SHARD,
        { SequenceNumber: '49000000000000000000000000000000000000000000000000000001', Data: encoder.encode(onFailureEvents)[0]!.data },
        'us-east-1',
      );
      await onFailureToDeadLetter(directoryDeadLetter(dl), { logger: createLogger('error'), counted: () => undefined })(
        [record],
        'batch item failure after 6 attempts',
      );
      const single = makeChatEvents(1, { seed: 22 })[0]!;
      const entry = (line: string, sequenceNumber: string) =>
        JSON.stringify({
          reason: 'earlier failure',
          line,
          lineNumber: 1,
          sequenceNumber,
          shardId: SHARD,
          source: 'kinesis',
          time: new Date(0).toISOString(),
        });
      writeFileSync(join(dl, 'kinesis_shardId-000000000000_2.ndjson'), entry(JSON.stringify(single), '2') + '\n');
      writeFileSync(join(dl, 'kinesis_shardId-000000000000_3.ndjson'), entry('{"v":1,"kind":"message"}', '3') + '\n');
      const lambdaEvents = makeChatEvents(50, { seed: 23 });
      const lambdaRecord = toLambdaRecord(
        SHARD,
        { SequenceNumber: '49000000000000000000000000000000000000000000000000000004', Data: encoder.encode(lambdaEvents)[0]!.data },
        'us-east-1',
      );
      writeFileSync(
        join(dl, 'lambda-on-failure.ndjson'),
        JSON.stringify({
          version: '1.0',
          requestContext: { condition: 'RetryAttemptsExhausted' },
          KinesisBatchInfo: { shardId: SHARD, batchSize: 1 },
          payload: JSON.stringify({ Records: [lambdaRecord] }),
        }),
      );

      // Act
      const first = redrive(dl, dbPath);
      const second = redrive(dl, dbPath);
      cpSync(join(dl, 'redriven'), dl, { recursive: true }); // someone puts the stored items back
      const third = redrive(dl, dbPath);

      // Assess
      assert.deepEqual(
        [first.code, first.items, first.stored, first.duplicates, first.failing, first.moved],
        [1, 4, 151, 0, 1, 3],
        first.stderr,
      );
      assert.match(first.stderr, /still failing: 1 × invalid event/);
      assert.deepEqual(readdirSync(dl).sort(), ['kinesis_shardId-000000000000_3.ndjson', 'redriven']);
      assert.deepEqual([second.stored, second.duplicates, second.failing, second.moved], [0, 0, 1, 0], 'a second run stores nothing new');
      assert.deepEqual([third.stored, third.duplicates, third.moved], [0, 151, 3], 'redriving stored items again is harmless');
      const db = openSqliteDatabase(dbPath, { readonly: true });
      const ids = db.prepare('SELECT event_id FROM chat_events').pluck().all() as string[];
      db.close();
      assert.deepEqual(new Set(ids), new Set([...onFailureEvents, single, ...lambdaEvents].map((e) => e.event_id)));
      assert.equal(ids.length, 151);
      assert.ok(existsSync(join(dl, 'kinesis_shardId-000000000000_3.ndjson')));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
