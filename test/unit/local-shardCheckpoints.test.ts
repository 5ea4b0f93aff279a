import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ShardCheckpoints } from '../../services/local/shardCheckpoints.ts';

const STREAM = 'poglytics-events';
const CREATED_AT = 1_700_000_000_000;

/** Writes a filler file until the disk refuses more, so that no page is left for a new file. */
function fillDisk(dir: string): string {
  const filler = join(dir, 'filler');
  try {
    writeFileSync(filler, Buffer.alloc(4 * 1024 * 1024));
  } catch (error) {
    assert.equal((error as NodeJS.ErrnoException).code, 'ENOSPC');
    return filler;
  }
  assert.fail('the tmpfs took 4 MiB: it is not full');
}

describe('ShardCheckpoints on a full disk', () => {
  it('keeps the older whole checkpoint on disk and the current position in memory, and writes again once there is room', (t) => {
    // Prepare: a 64 KiB tmpfs holding a checkpoint, then filled to the last page
    const mountPoint = mkdtempSync(join(tmpdir(), 'checkpoints-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mountPoint]);
    t.after(() => {
      execFileSync('umount', [mountPoint]);
      rmSync(mountPoint, { recursive: true, force: true });
    });
    const path = join(mountPoint, 'poller', 'checkpoints.json');
    const checkpoints = new ShardCheckpoints(path, STREAM, CREATED_AT);
    checkpoints.set('shardId-000000000000', '100');
    const filler = fillDisk(mountPoint);

    // Act: the next batch's checkpoint meets the full disk
    assert.doesNotThrow(() => checkpoints.set('shardId-000000000000', '200'), 'a full disk must not stop the poll loop');

    // Assess: memory is current; the file is the older position, whole (a restart reads a little again)
    assert.equal(checkpoints.get('shardId-000000000000'), '200');
    assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), {
      stream: STREAM,
      streamCreatedAt: CREATED_AT,
      shards: { 'shardId-000000000000': '100' },
    });
    assert.equal(new ShardCheckpoints(path, STREAM, CREATED_AT).get('shardId-000000000000'), '100');

    // Act: room again
    rmSync(filler);
    checkpoints.set('shardId-000000000001', '7');

    // Assess: the next write carries every current position
    const reopened = new ShardCheckpoints(path, STREAM, CREATED_AT);
    assert.equal(reopened.get('shardId-000000000000'), '200');
    assert.equal(reopened.get('shardId-000000000001'), '7');
  });

  it('ignores a file left by another stream or a re-created one', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'checkpoints-'));
    const path = join(dir, 'checkpoints.json');
    try {
      new ShardCheckpoints(path, STREAM, CREATED_AT).set('shardId-000000000000', '100');
      // Act + Assess
      assert.equal(new ShardCheckpoints(path, STREAM, CREATED_AT).get('shardId-000000000000'), '100');
      assert.equal(new ShardCheckpoints(path, STREAM, CREATED_AT + 1).get('shardId-000000000000'), undefined);
      assert.equal(new ShardCheckpoints(path, 'other-stream', CREATED_AT).get('shardId-000000000000'), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
