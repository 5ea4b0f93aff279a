import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { batchLength, type PutEntry } from '../../core/kinesis/putRecordsBatch.ts';

/** Kinesis PutRecords limits, written out so that a changed constant shows. */
const MAX_ENTRIES = 500;
const MAX_CALL_BYTES = 5 * 1024 * 1024;
/** batchLength counts a 36-byte partition key (a UUID) per entry. */
const KEY_BYTES = 36;

const entries = (count: number, bytes: number): PutEntry[] =>
  Array.from({ length: count }, () => ({ data: Buffer.alloc(bytes), eventCount: 1 }));

describe('batchLength (what one PutRecords call may carry)', () => {
  it('takes at most 500 entries, even when the caller allows more', () => {
    assert.equal(batchLength(entries(600, 10)), MAX_ENTRIES);
    assert.equal(batchLength(entries(600, 10), 10_000), MAX_ENTRIES);
    assert.equal(batchLength(entries(600, 10), 20), 20);
  });

  it('takes at most 5 MiB of data and keys, even when the caller allows more', () => {
    // Prepare: 1 MiB records: four and their keys fit 5 MiB, five do not
    const big = entries(8, 1024 * 1024);
    // Act + Assess
    assert.equal(batchLength(big), 4);
    assert.equal(batchLength(big, MAX_ENTRIES, 64 * 1024 * 1024), 4);
    // Exactly 5 MiB with the keys fits; one byte more does not
    const exact = entries(5, MAX_CALL_BYTES / 5 - KEY_BYTES);
    assert.equal(batchLength(exact), 5);
    assert.equal(batchLength([...exact.slice(0, 4), { data: Buffer.alloc(MAX_CALL_BYTES / 5 - KEY_BYTES + 1), eventCount: 1 }]), 4);
  });

  it('always takes the first entry, so that the caller never loops on an empty call', () => {
    assert.equal(batchLength(entries(3, MAX_CALL_BYTES + 1)), 1);
    assert.equal(batchLength([]), 0);
  });
});
