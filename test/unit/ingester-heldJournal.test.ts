import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { normalizeLine } from '../../core/irc/normalizeLine.ts';
import { HELD_JOURNAL_FILE, HeldJournal } from '../../services/ingester/heldJournal.ts';
import { tempDir } from '../helpers/ingesterFixture.ts';

const notice = (channel: string, n: number) => {
  const result = normalizeLine(`@msg-id=slow_on :tmi.twitch.tv NOTICE #${channel} :slow mode ${n}`, 1_700_000_000_000 + n);
  assert.equal(result.type, 'event');
  return result.event;
};
const slot = () => ({ shardId: 3, replica: 1 });

describe('the hold journal', () => {
  it('gives the next process what was held and not released, in order, with what the replay needs', () => {
    const dir = tempDir('held-journal-');
    try {
      const first = new HeldJournal({ dir: dir.path, slot, keepReleasedMs: 0 });
      const keys = [0, 1, 2, 3].map((n) => first.hold(notice('a', n), n === 0 ? null : 1000 + n, n !== 2));
      first.released(keys[1]!, 'id');
      first.released(keys[1]!, 'id'); // a second release of one key writes nothing
      // (no close: as after kill -9)
      const second = new HeldJournal({ dir: dir.path, slot, keepReleasedMs: 0 });
      assert.deepEqual(
        second.leftOver.map((r) => [r.raw, r.receivedAt, r.prevTs, r.anchored, r.slot]),
        [0, 2, 3].map((n) => [notice('a', n).raw, 1_700_000_000_000 + n, n === 0 ? null : 1000 + n, n !== 2, { shardId: 3, replica: 1 }]),
      );
      assert.ok(second.leftOver.every((r) => r.readAt > 0));
      // New holds of the second process do not collide with the left-over keys.
      const key = second.hold(notice('b', 9), null, true);
      second.forgetLeftOver();
      const third = new HeldJournal({ dir: dir.path, slot, keepReleasedMs: 0 });
      assert.deepEqual(
        third.leftOver.map((r) => r.raw),
        [notice('b', 9).raw],
      );
      assert.equal(key, 3);
    } finally {
      dir.remove();
    }
  });

  it('starts the file again once nothing is held, and keeps it small under steady holding', () => {
    const dir = tempDir('held-journal-');
    try {
      const journal = new HeldJournal({ dir: dir.path, slot: () => null, keepReleasedMs: 0 });
      const file = join(dir.path, HELD_JOURNAL_FILE);
      const kept = journal.hold(notice('quiet', 0), null, true);
      for (let n = 1; n < 10_000; n++) journal.released(journal.hold(notice('busy', n), 5, true), 'id');
      assert.ok(statSync(file).size < 1.2 * 1024 * 1024, `${statSync(file).size} bytes`);
      assert.ok(readFileSync(file, 'utf8').startsWith(`{"k":${kept},`), 'the entry still held survives compaction');
      journal.released(kept, 'id');
      assert.equal(statSync(file).size, 0);
      assert.equal(new HeldJournal({ dir: dir.path, slot: () => null, keepReleasedMs: 0 }).leftOver.length, 0);
    } finally {
      dir.remove();
    }
  });

  it('skips a line cut short by a crash and reports it, keeping the rest', () => {
    const dir = tempDir('held-journal-');
    try {
      const first = new HeldJournal({ dir: dir.path, slot: () => null, keepReleasedMs: 0 });
      first.hold(notice('a', 1), null, true);
      appendFileSync(join(dir.path, HELD_JOURNAL_FILE), '{"k":7,"raw":"@msg-id=sl');
      const errors: string[] = [];
      const logger = { error: (message: string) => errors.push(message), warn() {}, info() {}, debug() {} } as never;
      const second = new HeldJournal({ dir: dir.path, slot: () => null, keepReleasedMs: 0, logger });
      assert.deepEqual(
        second.leftOver.map((r) => r.raw),
        [notice('a', 1).raw],
      );
      assert.deepEqual(errors, ['hold journal line unreadable; skipped']);
      assert.ok(!readFileSync(join(dir.path, HELD_JOURNAL_FILE), 'utf8').includes('"k":7'));
    } finally {
      dir.remove();
    }
  });

  it('on a full disk counts the failed writes and keeps capturing (the line stays held in memory)', (t) => {
    // Prepare: a 64 KiB tmpfs, filled to the last page
    const mountPoint = mkdtempSync(join(tmpdir(), 'held-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mountPoint]);
    t.after(() => {
      execFileSync('umount', [mountPoint]);
      rmSync(mountPoint, { recursive: true, force: true });
    });
    let failures = 0;
    const journal = new HeldJournal({ dir: mountPoint, slot: () => null, keepReleasedMs: 0, onError: () => failures++ });
    assert.throws(() => writeFileSync(join(mountPoint, 'filler'), Buffer.alloc(4 * 1024 * 1024)), { code: 'ENOSPC' });
    // Act
    assert.doesNotThrow(() => journal.released(journal.hold(notice('a', 1), null, true), 'id'));
    assert.doesNotThrow(() => journal.hold(notice('a', 2), null, true));
    // Assess
    assert.ok(failures >= 2, `${failures} failures counted`);
    assert.equal(journal.size, 1);
    journal.close({ delivered: false });
  });

  it('gives back what was released shortly before the last write, under the id it was released with, and not what was released long before', async () => {
    const dir = tempDir('held-journal-');
    try {
      const first = new HeldJournal({ dir: dir.path, slot, keepReleasedMs: 300 });
      first.released(first.hold(notice('a', 1), null, true), 'h:old');
      await new Promise((resolve) => setTimeout(resolve, 400));
      first.released(first.hold(notice('a', 2), 7, true), 'h:recent');
      first.hold(notice('a', 3), 7, true);
      // (no close: as after kill -9, right after the last write)
      const second = new HeldJournal({ dir: dir.path, slot, keepReleasedMs: 300 });
      assert.deepEqual(
        second.leftOver.map((r) => [r.raw, r.finalId]),
        [
          [notice('a', 2).raw, 'h:recent'],
          [notice('a', 3).raw, undefined],
        ],
      );
      // Acknowledged, they are gone for good.
      second.forgetLeftOver();
      assert.deepEqual(new HeldJournal({ dir: dir.path, slot, keepReleasedMs: 300 }).leftOver, []);
    } finally {
      dir.remove();
    }
  });

  it('after an orderly shutdown (everything delivered) gives nothing back', () => {
    const dir = tempDir('held-journal-');
    try {
      const first = new HeldJournal({ dir: dir.path, slot, keepReleasedMs: 60_000 });
      first.released(first.hold(notice('a', 1), null, true), 'h:sent');
      first.close({ delivered: true });
      assert.deepEqual(new HeldJournal({ dir: dir.path, slot, keepReleasedMs: 60_000 }).leftOver, []);
    } finally {
      dir.remove();
    }
  });
});
