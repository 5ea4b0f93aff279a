import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecordMemory, type HeldRecord } from '../../core/kinesis/recordMemory.ts';

const record = (bytes: number, events: number, sealedAt = 0): HeldRecord => ({ data: Buffer.alloc(bytes), eventCount: events, sealedAt });
const sum = (records: readonly HeldRecord[]) => records.reduce((n, r) => n + r.data.length, 0);

describe('RecordMemory', () => {
  it('keeps its byte and event totals equal to what it holds through every way in and out', () => {
    const memory = new RecordMemory();
    const held: HeldRecord[] = [];
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let step = 0; step < 2000; step++) {
      const action = random();
      if (action < 0.4) {
        const r = record(1 + Math.floor(random() * 5000), 1 + Math.floor(random() * 50), step);
        memory.push(r);
        held.push(r);
      } else if (action < 0.6) {
        const taken = memory.take(Math.floor(random() * 4));
        assert.deepEqual(taken, held.splice(0, taken.length));
      } else if (action < 0.8) {
        const { entries, bytes } = memory.takeBatch(1 + Math.floor(random() * 10), 20_000);
        assert.deepEqual(entries, held.splice(0, entries.length));
        assert.equal(bytes, sum(entries));
        if (random() < 0.5) {
          memory.requeue(entries);
          held.unshift(...entries);
        }
      } else {
        const count = memory.countToFree(Math.floor(random() * 20_000));
        assert.ok(count <= held.length);
      }
      assert.equal(memory.bytes, sum(held));
      assert.equal(memory.length, held.length);
      assert.equal(
        memory.events,
        held.reduce((n, r) => n + r.eventCount, 0),
      );
    }
  });

  it('frees the fewest oldest records that cover an excess, and counts due records from the oldest', () => {
    const memory = new RecordMemory();
    for (const [bytes, sealedAt] of [
      [100, 1],
      [200, 2],
      [300, 3],
    ] as const)
      memory.push(record(bytes, 1, sealedAt));
    assert.equal(memory.countToFree(0), 0);
    assert.equal(memory.countToFree(100), 1);
    assert.equal(memory.countToFree(101), 2);
    assert.equal(memory.countToFree(10_000), 3);
    assert.equal(
      memory.countFromOldest((r) => r.sealedAt <= 2),
      2,
    );
  });
});
