import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs, { existsSync, readdirSync, readFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { join, resolve } from 'node:path';
import { describe, it, mock } from 'node:test';
import { decodeRecord } from '../../core/events/kinesisRecordCodec.ts';
import { DiskJournal } from '../../core/kinesis/diskJournal.ts';
import { optOutRewriter } from '../../core/optout/optOutRewriter.ts';
import { ingesterMatcher } from '../../services/ingester/ingesterOptOuts.ts';
import { tempDir } from '../helpers/ingesterFixture.ts';
import {
  assertSameIds,
  chat,
  event,
  journalFiles,
  LEAVER,
  leaverOptedOut,
  privmsg,
  records,
  touchesLeaver,
} from '../helpers/optOutJournalFixture.ts';

const ids = (events: readonly { event_id: string }[]) => events.map((e) => e.event_id).sort();

/** A journal of 600 events (86 by or about the leaver) over several segments, its head partly sent. */
function journalWithLeaver(dir: string) {
  const events = chat(600);
  const journal = new DiskJournal({ dir, maxBytes: 64 << 20, segmentBytes: 4096 });
  assert.equal(journal.append(records(events)), 24);
  const sent = journal.peek(2, 1 << 20);
  journal.ack(sent.length);
  const unsent = events.slice(50);
  return { journal, unsent };
}

describe('opt-out deletion in the ingester journals', () => {
  it('rewrites the spill journal files without the opted-out user: their id is nowhere in the decoded frames, everyone else is all there', () => {
    const dir = tempDir('optout-journal-');
    try {
      // Prepare
      const { journal, unsent } = journalWithLeaver(dir.path);
      const segmentsBefore = readdirSync(dir.path).length;
      const leaverEvents = unsent.filter(touchesLeaver).length;
      assert.ok(segmentsBefore > 3 && leaverEvents > 50, `${segmentsBefore} segments, ${leaverEvents} of the leaver`);
      assert.ok(journalFiles(dir.path).texts.some((t) => t.includes(LEAVER.id)));
      // Act
      const removed = journal.rewrite(optOutRewriter(ingesterMatcher(leaverOptedOut())));
      // Assess: the files, read directly
      const files = journalFiles(dir.path);
      assert.equal(files.texts.filter((t) => t.includes(LEAVER.id) || t.includes(LEAVER.login)).length, 0, 'the leaver is in no frame');
      assertSameIds(
        files.events,
        unsent.filter((e) => !touchesLeaver(e)),
        'every other unsent event, each once',
      );
      assert.equal(removed.removedEvents, leaverEvents);
      assert.equal(journal.events, unsent.length - leaverEvents);
      assert.ok(!files.files.some((n) => n.endsWith('.tmp')));
      // The journal goes on: what it sends is what the files hold, and new appends go to a new segment.
      const more = chat(10).filter((e) => !touchesLeaver(e));
      assert.equal(journal.append(records(more, 10)), 1);
      const drained = [];
      for (let batch = journal.peek(5, 1 << 20); batch.length > 0; journal.ack(batch.length), batch = journal.peek(5, 1 << 20))
        drained.push(...batch);
      assert.equal(
        drained.reduce((n, r) => n + r.eventCount, 0),
        unsent.length - leaverEvents + more.length,
      );
      journal.close();
      const reopened = new DiskJournal({ dir: dir.path, maxBytes: 64 << 20 });
      assert.equal(reopened.records, 0, 'nothing left after the drain, nothing resurrected');
      reopened.close();
    } finally {
      dir.remove();
    }
  });

  it('rewrites a big journal in slices, one segment per call when the time is up, with appends and sends in between', () => {
    const dir = tempDir('optout-journal-slices-');
    try {
      // Prepare
      const { journal, unsent } = journalWithLeaver(dir.path);
      const rewrite = optOutRewriter(ingesterMatcher(leaverOptedOut()));
      const later = chat(30, 1000).filter((e) => !touchesLeaver(e));
      // Act: a slice per call, a clean record appended and one record sent between slices
      const through = journal.lastSeq!;
      let slice = journal.rewrite(rewrite, { through, until: 0 });
      let slices = 1;
      const appended: typeof later = [];
      const sent: typeof later = [];
      while (slice.next !== undefined) {
        const one = later.slice(slices % later.length, (slices % later.length) + 1);
        journal.append(records(one, 1));
        appended.push(...one);
        const batch = journal.peek(1, 1 << 20);
        for (const r of batch) sent.push(...(decodeRecord(r.data).events as typeof later));
        journal.ack(batch.length);
        slice = journal.rewrite(rewrite, { after: slice.next, through, until: 0 });
        slices++;
      }
      // Assess: every segment done in its own slice; nothing of the leaver on disk; every other event on disk or sent
      const files = journalFiles(dir.path);
      assert.ok(slices >= 4, `${slices} slices`);
      assert.ok(!files.texts.some((t) => t.includes(LEAVER.id)));
      // (A file may still hold the sent head of its segment: what the journal has left is read through it.)
      for (let batch = journal.peek(5, 1 << 20); batch.length > 0; journal.ack(batch.length), batch = journal.peek(5, 1 << 20))
        for (const r of batch) sent.push(...(decodeRecord(r.data).events as typeof later));
      assert.ok(files.events.length > 0);
      assertSameIds(
        sent.filter((e) => !touchesLeaver(e)),
        [...unsent.filter((e) => !touchesLeaver(e)), ...appended],
      );
      journal.close();
    } finally {
      dir.remove();
    }
  });

  it('loses nothing when the disk refuses the rename mid-rewrite, and finishes on the next try', () => {
    const dir = tempDir('optout-journal-eio-');
    try {
      // Prepare
      const { journal, unsent } = journalWithLeaver(dir.path);
      const realRename = fs.renameSync;
      let renames = 0;
      mock.method(fs, 'renameSync', (from: fs.PathLike, to: fs.PathLike) => {
        // The second segment's rename fails: one segment is rewritten, the others not yet.
        if (++renames === 2) throw Object.assign(new Error('EIO: i/o error, rename'), { code: 'EIO' });
        realRename(from, to);
      });
      syncBuiltinESMExports();
      // Act
      let failure: unknown;
      try {
        journal.rewrite(optOutRewriter(ingesterMatcher(leaverOptedOut())));
      } catch (error) {
        failure = error;
      } finally {
        mock.restoreAll();
        syncBuiltinESMExports();
      }
      // Assess: every unsent event still on disk (the leaver's too, in the segments not done yet)
      assert.match(String(failure), /EIO/);
      const afterFailure = journalFiles(dir.path);
      assertSameIds(
        afterFailure.events.filter((e) => !touchesLeaver(e)),
        unsent.filter((e) => !touchesLeaver(e)),
      );
      assert.ok(afterFailure.events.some(touchesLeaver), 'the untouched segments still hold the leaver');
      assert.ok(!afterFailure.files.some((n) => n.endsWith('.tmp')), 'the temporary file is gone');
      assert.equal(journal.events, afterFailure.events.length, "the journal's counts match its files");
      journal.rewrite(optOutRewriter(ingesterMatcher(leaverOptedOut())));
      const done = journalFiles(dir.path);
      assert.ok(!done.texts.some((t) => t.includes(LEAVER.id)));
      assertSameIds(
        done.events,
        unsent.filter((e) => !touchesLeaver(e)),
      );
      journal.close();
    } finally {
      dir.remove();
    }
  });

  it('loses nothing when the process is killed between writing the new segment and renaming it', () => {
    const dir = tempDir('optout-journal-kill-');
    try {
      // Prepare: the journal written and closed; a child process opens it and rewrites, and is killed at the first rename
      const events = chat(600);
      const first = new DiskJournal({ dir: dir.path, maxBytes: 64 << 20, segmentBytes: 4096 });
      first.append(records(events));
      first.close();
      const child = spawnSync(
        process.execPath,
        ['--import', 'tsx', resolve('test/fixtures/rewriteJournalThenDie.ts'), dir.path, LEAVER.id],
        // A hang must fail the test: a test runner's timeout cannot stop synchronous code.
        { encoding: 'utf8', timeout: 60_000 },
      );
      // Assess: killed right after the new file was synced, before the rename
      assert.equal(child.signal, 'SIGKILL', child.stderr);
      const leftover = readdirSync(dir.path).filter((n) => n.endsWith('.rewrite.tmp'));
      assert.equal(leftover.length, 1);
      assert.ok(readFileSync(join(dir.path, leftover[0]!)).length > 0, 'the new segment was written before the kill');
      // Act: the next process opens the journal
      const next = new DiskJournal({ dir: dir.path, maxBytes: 64 << 20 });
      // Assess: all of it there, the leftover gone; the rewrite then completes
      assert.ok(!existsSync(join(dir.path, leftover[0]!)));
      assertSameIds(journalFiles(dir.path).events, events);
      assert.equal(next.events, events.length);
      next.rewrite(optOutRewriter(ingesterMatcher(leaverOptedOut())));
      const done = journalFiles(dir.path);
      assert.ok(!done.texts.some((t) => t.includes(LEAVER.id)));
      assertSameIds(
        done.events,
        events.filter((e) => !touchesLeaver(e)),
      );
      next.close();
    } finally {
      dir.remove();
    }
  });

  it("keeps an opted-out user's !optin command (the consumer must see it to opt them back in)", () => {
    const dir = tempDir('optout-journal-optin-');
    try {
      // Prepare
      const optin = event(privmsg(1, LEAVER).replace('message number 1', '!optin k3m9x2p7qa'), 1);
      const chatter = event(privmsg(2, LEAVER), 2);
      const journal = new DiskJournal({ dir: dir.path, maxBytes: 1 << 20 });
      journal.append(records([optin, chatter]));
      // Act
      journal.rewrite(optOutRewriter(ingesterMatcher(leaverOptedOut())));
      // Assess
      assert.deepEqual(ids(journalFiles(dir.path).events), [optin.event_id]);
      journal.close();
    } finally {
      dir.remove();
    }
  });
});
