import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { OutageReason, OutageStore, type StorageOutage } from '../../core/consumer/classifyOutage.ts';
import { StorageUnavailableError } from '../../core/consumer/errors.ts';
import { DeadLetterWriteError } from '../../core/deadletter/errors.ts';
import {
  deliverBatch,
  toLambdaRecord,
  type EventSourceMappingSettings,
  type OutageObserver,
} from '../../services/local/kinesisEventSourceMapping.ts';

const settings: EventSourceMappingSettings = {
  batchSize: 10,
  maximumBatchingWindowMs: 0,
  bisectBatchOnFunctionError: true,
  maximumRetryAttempts: 2,
  maximumRecordAgeMs: 60_000,
  retryBaseMs: 1,
  outageBackoffMaxMs: 4,
};

const diskFull: StorageOutage = {
  store: OutageStore.Sink,
  reason: OutageReason.DiskFull,
  message: 'database or disk is full [SQLITE_FULL]',
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

const seqs = (records: readonly KinesisStreamRecord[]) => records.map((r) => r.kinesis.sequenceNumber);

function recordingObserver() {
  const paused: string[] = [];
  const resumed: number[] = [];
  const observer: OutageObserver = { paused: (o) => void paused.push(o.reason), resumed: (ms) => void resumed.push(ms) };
  return { observer, paused, resumed };
}

describe('event source mapping during a storage outage', { timeout: 10_000 }, () => {
  it('retries the same whole batch past the retry budget while the sink is unavailable, and never sends it to on-failure', async () => {
    // Prepare: the disk is full for 8 invocations (far more than maximumRetryAttempts)
    const records = makeRecords(6);
    const invocations: string[][] = [];
    const handler = async (event: KinesisStreamEvent) => {
      invocations.push(seqs(event.Records));
      if (invocations.length <= 8) throw new StorageUnavailableError(diskFull);
      return { batchItemFailures: [] };
    };
    const { observer, paused, resumed } = recordingObserver();
    // Act
    const outcome = await deliverBatch(
      records,
      handler,
      async () => assert.fail('nothing may reach on-failure because of an outage'),
      settings,
      { observer },
    );
    // Assess
    assert.equal(invocations.length, 9);
    for (const seen of invocations) assert.deepEqual(seen, seqs(records), 'no bisecting, no skipping');
    assert.deepEqual([outcome.discarded, outcome.failedInvocations], [0, 0]);
    assert.deepEqual(paused, Array(8).fill('disk_full'));
    assert.equal(resumed.length, 1);
  });

  it('does not age records out while it waits for storage', async () => {
    // Prepare: records older than the maximum age arrive while the disk is full
    const records = makeRecords(2).map((r) => ({
      ...r,
      kinesis: { ...r.kinesis, approximateArrivalTimestamp: (Date.now() - 30_000) / 1000 },
    }));
    let calls = 0;
    let clock = Date.now();
    const handler = async () => {
      calls++;
      clock += 60_000; // each failed attempt "takes" a minute
      if (calls < 3) throw new StorageUnavailableError(diskFull);
    };
    // Act
    const outcome = await deliverBatch(records, handler, async () => assert.fail('no record may expire during an outage'), settings, {
      now: () => clock,
    });
    // Assess
    assert.deepEqual([calls, outcome.discarded], [3, 0]);
  });

  it('retries the on-failure destination until it accepts the records, instead of losing them', async () => {
    // Prepare: a poison batch (reported every time) whose dead letter is on a full disk for 3 tries
    const records = makeRecords(3);
    let writes = 0;
    const kept: string[] = [];
    const onFailure = async (failed: readonly KinesisStreamRecord[]) => {
      writes++;
      if (writes <= 3) throw new DeadLetterWriteError('cannot write dead letter: ENOSPC: no space left on device', { code: 'ENOSPC' });
      kept.push(...seqs(failed));
    };
    const { observer, paused } = recordingObserver();
    // Act
    const outcome = await deliverBatch(
      records,
      async () => ({ batchItemFailures: [{ itemIdentifier: records[0]!.kinesis.sequenceNumber }] }),
      onFailure,
      { ...settings, bisectBatchOnFunctionError: false },
      { observer },
    );
    // Assess
    assert.equal(writes, 4);
    assert.deepEqual(kept, seqs(records));
    assert.equal(outcome.discarded, 3);
    assert.deepEqual(paused, ['disk_full', 'disk_full', 'disk_full']);
  });

  it('stops waiting when aborted (a shutdown), rejecting without acknowledging anything', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    await assert.rejects(
      deliverBatch(
        makeRecords(2),
        async () => {
          throw new StorageUnavailableError(diskFull);
        },
        async () => assert.fail('not on-failure'),
        settings,
        { signal: controller.signal },
      ),
      { name: 'AbortError' },
    );
  });
});
