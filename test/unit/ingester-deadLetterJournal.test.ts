import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DeadLetterJournal } from '../../services/ingester/deadLetterJournal.ts';

const root = mkdtempSync(join(tmpdir(), 'irc-dead-letter-'));
after(() => rmSync(root, { recursive: true, force: true }));

describe('the IRC dead letter while the disk refuses writes', () => {
  it('holds a rejected line in memory, then writes it once the disk takes writes again', () => {
    // Prepare: the journal directory's path is taken by a file, so every append fails (ENOTDIR/EEXIST)
    const dir = join(root, 'blocked');
    writeFileSync(dir, 'not a directory');
    const journal = new DeadLetterJournal(dir);
    // Act
    const written = journal.write({ receivedAt: 1, reason: 'invalid UTF-8', connection: 0, raw: 'PRIVMSG #c :\ufffd' });
    // Assess: refused now, kept, not lost
    assert.equal(written, false);
    assert.equal(journal.pendingCount, 1);
    assert.equal(journal.refusedCount, 0);
    assert.ok(journal.lastError, 'the refusal is remembered for the log');
    // Act: the disk recovers
    rmSync(dir);
    journal.flush();
    // Assess
    assert.equal(journal.pendingCount, 0);
    const lines = readFileSync(journal.path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { reason: string; raw: string });
    assert.deepEqual(
      lines.map((l) => [l.reason, l.raw]),
      [['invalid UTF-8', 'PRIVMSG #c :\ufffd']],
    );
  });
});
