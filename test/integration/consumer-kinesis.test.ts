import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, describe, it } from 'node:test';
import type { KinesisStreamEvent } from 'aws-lambda';
import { processKinesisBatch } from '../../core/consumer/processKinesisBatch.ts';
import type { BatchMeasurements, KinesisRecordInput } from '../../core/consumer/types.ts';
import { directoryDeadLetter } from '../../core/deadletter/directoryDeadLetter.ts';
import { RecordEncoder } from '../../core/events/kinesisRecordCodec.ts';
import type { StreamEvent } from '../../core/events/streamEvent.ts';
import { createSink } from '../../core/sinks/createSink.ts';
import { makeChatEvents, makeSnapshots } from '../helpers/chatEvents.ts';
import { freePort, startScratchPostgres } from '../helpers/postgres.ts';

const root = mkdtempSync(join(tmpdir(), 'poglytics-consumer-'));
after(() => rmSync(root, { recursive: true, force: true }));

const SHARD = 'shardId-000000000000';
const sequence = (i: number) => `4962${String(1000 + i).padStart(52, '0')}`;

/** Real records: brotli NDJSON made by the ingester's encoder, small so a batch has several. */
function encode(events: StreamEvent[]): Buffer[] {
  return new RecordEncoder({ targetBytes: 16 * 1024 }).encode(events).map((r) => r.data);
}

function asRecords(datas: Buffer[]): KinesisRecordInput[] {
  return datas.map((data, i) => ({ sequenceNumber: sequence(i), shardId: SHARD, data }));
}

function asLambdaEvent(datas: Buffer[]): KinesisStreamEvent {
  return {
    Records: datas.map((data, i) => ({
      eventID: `${SHARD}:${sequence(i)}`,
      eventName: 'aws:kinesis:record',
      eventVersion: '1.0',
      eventSource: 'aws:kinesis',
      eventSourceARN: 'arn:aws:kinesis:us-east-1:123456789012:stream/poglytics-events',
      awsRegion: 'us-east-1',
      invokeIdentityArn: 'arn:aws:iam::123456789012:role/consumer',
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: `channel_${i}`,
        sequenceNumber: sequence(i),
        approximateArrivalTimestamp: 1706000000 + i,
        data: data.toString('base64'),
      },
    })),
  };
}

function readDeadLetters(dir: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(d, entry.name));
      else
        out.push(
          ...readFileSync(join(d, entry.name), 'utf8')
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l) as Record<string, unknown>),
        );
    }
  };
  walk(dir);
  return out;
}

describe('stream consumer', () => {
  it('stores the rest of the batch and dead-letters a corrupt record and an invalid line', async () => {
    // Prepare
    const events = makeChatEvents(3000, { seed: 5 });
    const good = encode([...events, ...makeSnapshots(20)]);
    const notARecord = Buffer.from('this is not a record');
    const badLine = gzipSync(`${JSON.stringify(makeChatEvents(1, { seed: 6 })[0])}\n{"v":1,"kind":"message"}\nnot json\n`);
    const datas = [good[0]!, notARecord, ...good.slice(1), badLine];
    const sink = createSink({ sink: 'sqlite', path: join(root, 'a.db') });
    const dlDir = join(root, 'dead-a');
    const measured: BatchMeasurements[] = [];
    // Act
    const outcome = await processKinesisBatch(asRecords(datas), {
      sink,
      deadLetter: directoryDeadLetter(dlDir),
      metrics: { recordBatch: (m) => void measured.push(m) },
    });
    // Assess
    assert.deepEqual(outcome.batchItemFailures, []);
    assert.equal(outcome.inserted, 3000 + 20 + 1);
    assert.equal(Number((await sink.query('SELECT count(*) AS n FROM chat_events'))[0]?.n), 3001);
    const dead = readDeadLetters(dlDir);
    assert.equal(dead.length, 3);
    const whole = dead.find((d) => d.lineNumber === 0)!;
    assert.deepEqual(
      [whole.reason, whole.sequenceNumber, whole.shardId, whole.line],
      ['record is neither brotli (PGB1, PGB2) nor gzip data', sequence(1), SHARD, notARecord.toString('base64')],
    );
    const lines = dead.filter((d) => d.sequenceNumber === sequence(datas.length - 1)).map((d) => [d.lineNumber, d.line]);
    assert.deepEqual(lines, [
      [2, '{"v":1,"kind":"message"}'],
      [3, 'not json'],
    ]);
    assert.ok(dead.every((d) => typeof d.time === 'string' && typeof d.reason === 'string'));
    assert.equal(measured.length, 1);
    assert.equal(measured[0]!.deadLettered, 3);
    assert.equal(measured[0]!.latenciesMs.length, 3021);
    await sink.close();
  });

  it('reports the failed sequence numbers while Postgres is down, then a retry stores everything exactly once', async () => {
    // Prepare
    const pg = await startScratchPostgres();
    try {
      const events = makeChatEvents(4000, { seed: 8 });
      const datas = encode(events);
      const onlyCorrupt = Buffer.from('garbage');
      const batch = asRecords([onlyCorrupt, ...datas]);
      const sink = createSink({ sink: 'postgres', connectionString: pg.url, connectTimeoutMs: 2000 });
      await sink.migrate();
      const deps = { sink, deadLetter: directoryDeadLetter(join(root, 'dead-b')) };
      // Act: the database goes away mid-life
      await pg.stop();
      const down = await processKinesisBatch(batch, deps);
      await pg.start();
      const retried = await processKinesisBatch(batch, deps);
      const replayed = await processKinesisBatch(batch, deps);
      // Assess
      assert.ok(datas.length > 2);
      assert.deepEqual(
        down.batchItemFailures.map((f) => f.itemIdentifier),
        batch.slice(1).map((r) => r.sequenceNumber),
      );
      assert.equal(down.inserted, 0);
      assert.deepEqual(retried.batchItemFailures, []);
      assert.deepEqual([retried.inserted, retried.duplicates], [4000, 0]);
      assert.deepEqual([replayed.inserted, replayed.duplicates], [0, 4000]);
      const rows = await sink.query('SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS d FROM chat_events');
      assert.deepEqual(rows, [{ n: 4000, d: 4000 }]);
      await sink.close();
    } finally {
      await pg.close();
    }
  });

  it('never reports success when the sink is unreachable', async () => {
    // Prepare
    const sink = createSink({
      sink: 'postgres',
      connectionString: `postgres://x@127.0.0.1:${await freePort()}/db`,
      connectTimeoutMs: 1000,
    });
    const batch = asRecords(encode(makeChatEvents(50, { seed: 9 })));
    // Act
    const outcome = await processKinesisBatch(batch, { sink, deadLetter: directoryDeadLetter(join(root, 'dead-c')) });
    // Assess
    assert.deepEqual(
      outcome.batchItemFailures.map((f) => f.itemIdentifier),
      batch.map((r) => r.sequenceNumber),
    );
    await sink.close();
  });

  it('handles a Lambda Kinesis event end to end (base64 data, partial batch response)', async () => {
    // Prepare
    process.env.SINK = 'sqlite';
    process.env.SQLITE_PATH = join(root, 'lambda.db');
    process.env.DEAD_LETTER_DIR = join(root, 'dead-lambda');
    const events = makeChatEvents(500, { seed: 10 });
    const datas = [...encode(events), Buffer.from([0x1f, 0x8b, 1, 2, 3])];
    const { handler } = await import('../../lambdas/stream-consumer/handler.ts');
    const log = console.log;
    console.log = () => {}; // EMF lines
    try {
      // Act
      const first = await handler(asLambdaEvent(datas));
      const second = await handler(asLambdaEvent(datas));
      // Assess
      assert.deepEqual(first, { batchItemFailures: [] });
      assert.deepEqual(second, { batchItemFailures: [] });
    } finally {
      console.log = log;
    }
    const sink = createSink({ sink: 'sqlite', path: join(root, 'lambda.db') });
    assert.equal(Number((await sink.query('SELECT count(*) AS n FROM chat_events'))[0]?.n), 500);
    await sink.close();
    const dead = readDeadLetters(join(root, 'dead-lambda'));
    assert.equal(dead.length, 1, 'a retried record overwrites its dead letter');
    assert.match(String(dead[0]!.reason), /^gzip:/);
  });
});
