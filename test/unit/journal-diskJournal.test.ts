import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskJournal } from '../../core/kinesis/diskJournal.ts';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'journal-'));
  dirs.push(dir);
  return dir;
};
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const record = (i: number, size = 100) => ({ data: Buffer.alloc(size, i % 256), eventCount: i + 1 });

describe('DiskJournal', () => {
  it('returns records oldest first across segments and deletes acknowledged segments', () => {
    // Prepare
    const dir = tempDir();
    const journal = new DiskJournal({ dir, maxBytes: 1_000_000, segmentBytes: 1000 });
    // Act
    assert.equal(journal.append(Array.from({ length: 30 }, (_, i) => record(i))), 30);
    const seen: number[] = [];
    while (!journal.isEmpty) {
      const batch = journal.peek(7, 10_000);
      seen.push(...batch.map((r) => r.eventCount - 1));
      journal.ack(batch.length);
    }
    // Assess
    assert.deepEqual(
      seen,
      Array.from({ length: 30 }, (_, i) => i),
    );
    assert.equal(journal.bytes, 0);
    assert.equal(journal.events, 0);
    journal.close();
    assert.deepEqual(readdirSync(dir), []);
  });

  it('keeps appending while a segment is being read, without losing either side', () => {
    const journal = new DiskJournal({ dir: tempDir(), maxBytes: 1_000_000, segmentBytes: 10_000 });
    journal.append([record(0), record(1)]);
    const first = journal.peek(1, 10_000);
    journal.append([record(2)]);
    journal.ack(first.length);
    const rest: number[] = [];
    while (!journal.isEmpty) {
      const batch = journal.peek(10, 10_000);
      rest.push(...batch.map((r) => r.eventCount - 1));
      journal.ack(batch.length);
    }
    assert.deepEqual([first[0]!.eventCount - 1, ...rest], [0, 1, 2]);
  });

  it('refuses appends past its bound and reports how many it took', () => {
    const journal = new DiskJournal({ dir: tempDir(), maxBytes: 550 });
    assert.equal(journal.append([record(0), record(1), record(2), record(3), record(4), record(5)]), 5);
    assert.equal(journal.records, 5);
    assert.ok(journal.bytes <= 550);
  });

  it('survives a restart: unsent records come back and a torn last frame is dropped', () => {
    const dir = tempDir();
    const first = new DiskJournal({ dir, maxBytes: 1_000_000 });
    first.append([record(0), record(1), record(2)]);
    first.ack(1);
    first.close();
    const segment = readdirSync(dir)[0]!;
    appendFileSync(join(dir, segment), Buffer.from([50, 0, 0, 0, 1, 0, 0, 0, 9, 9]));
    // Act
    const reopened = new DiskJournal({ dir, maxBytes: 1_000_000 });
    // Assess: the acknowledged record is sent again (at-least-once), the torn frame is gone
    assert.deepEqual(
      reopened.peek(10, 100_000).map((r) => r.eventCount),
      [1, 2, 3],
    );
    assert.equal(reopened.events, 6);
  });
});
