import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import {
  compareSequenceNumbers,
  deliverBatch,
  toLambdaRecord,
  type EventSourceMappingSettings,
} from '../../services/local/kinesisEventSourceMapping.ts';

const settings: EventSourceMappingSettings = {
  batchSize: 10,
  maximumBatchingWindowMs: 0,
  bisectBatchOnFunctionError: true,
  maximumRetryAttempts: 3,
  maximumRecordAgeMs: 60_000,
  retryBaseMs: 1,
};

function makeRecords(count: number): KinesisStreamRecord[] {
  return Array.from({ length: count }, (_, i) =>
    toLambdaRecord(
      'shardId-000000000000',
      {
        SequenceNumber: `4959${String(i).padStart(20, '0')}`,
        PartitionKey: 'p',
        Data: Buffer.from(`r${i}`),
        ApproximateArrivalTimestamp: new Date(),
      },
      'us-east-1',
    ),
  );
}

const seqs = (event: KinesisStreamEvent) => event.Records.map((r) => r.kinesis.sequenceNumber);

describe('Kinesis event source mapping semantics', () => {
  it('orders sequence numbers longer than a double numerically', () => {
    assert.ok(compareSequenceNumbers('9', '10') < 0);
    assert.ok(
      compareSequenceNumbers(
        '49590000000000000000000000000000000000000000000000000002',
        '49590000000000000000000000000000000000000000000000000010',
      ) < 0,
    );
    assert.equal(compareSequenceNumbers('123', '123'), 0);
  });

  it('retries from the lowest reported batch item failure, not the whole batch', async () => {
    // Prepare
    const records = makeRecords(6);
    const invocations: string[][] = [];
    let failOnce = true;
    const handler = async (event: KinesisStreamEvent) => {
      invocations.push(seqs(event));
      if (failOnce) {
        failOnce = false;
        return {
          batchItemFailures: [
            { itemIdentifier: records[4]!.kinesis.sequenceNumber },
            { itemIdentifier: records[2]!.kinesis.sequenceNumber },
          ],
        };
      }
      return { batchItemFailures: [] };
    };
    // Act
    const outcome = await deliverBatch(records, handler, async () => assert.fail('nothing should be discarded'), settings);
    // Assess
    assert.equal(outcome.invocations, 2);
    assert.deepEqual(invocations[1], seqs({ Records: records.slice(2) }));
  });

  it('bisects a batch whose handler throws and isolates the poison record', async () => {
    const records = makeRecords(8);
    const poison = records[5]!.kinesis.sequenceNumber;
    const processed = new Set<string>();
    const discarded: string[] = [];
    const handler = async (event: KinesisStreamEvent) => {
      if (seqs(event).includes(poison)) throw new Error('boom');
      for (const s of seqs(event)) processed.add(s);
    };
    const outcome = await deliverBatch(
      records,
      handler,
      async (failed) => void discarded.push(...failed.map((r) => r.kinesis.sequenceNumber)),
      settings,
    );
    assert.deepEqual(discarded, [poison]);
    assert.equal(processed.size, 7);
    assert.ok(!processed.has(poison));
    assert.ok(outcome.failedInvocations > 1);
  });

  it('hands records to the on-failure destination after the retry budget, with the reason', async () => {
    const records = makeRecords(3);
    let calls = 0;
    const reasons: string[] = [];
    const outcome = await deliverBatch(
      records,
      async () => {
        calls++;
        return { batchItemFailures: [{ itemIdentifier: records[0]!.kinesis.sequenceNumber }] };
      },
      async (_failed, reason) => void reasons.push(reason),
      { ...settings, bisectBatchOnFunctionError: false },
    );
    assert.equal(calls, settings.maximumRetryAttempts + 1);
    assert.equal(outcome.discarded, 3);
    assert.match(reasons[0]!, /batch item failure .* after 4 attempts/);
  });

  it('discards records older than the maximum record age without invoking the handler for them', async () => {
    const records = makeRecords(2);
    const old = structuredClone(records[0]!);
    old.kinesis.approximateArrivalTimestamp = (Date.now() - 120_000) / 1000;
    const seen: string[] = [];
    const expired: string[] = [];
    await deliverBatch(
      [old, records[1]!],
      async (event) => void seen.push(...seqs(event)),
      async (failed) => void expired.push(...failed.map((r) => r.kinesis.sequenceNumber)),
      settings,
    );
    assert.deepEqual(expired, [old.kinesis.sequenceNumber]);
    assert.deepEqual(seen, [records[1]!.kinesis.sequenceNumber]);
  });
});
