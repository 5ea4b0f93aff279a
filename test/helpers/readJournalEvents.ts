import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeRecord } from '../../core/events/kinesisRecordCodec.ts';
import type { StreamEvent } from '../../core/events/streamEvent.ts';
import { DiskJournal } from '../../core/kinesis/diskJournal.ts';

/**
 * The events a journal directory holds on disk right now, read from a copy so that a journal
 * still in use (or left by a killed process, to be reopened by its successor) is not touched:
 * opening a journal truncates a torn last frame and deletes empty segments.
 */
export function readJournalEvents(dir: string): StreamEvent[] {
  // A live journal deletes a drained segment whenever it likes: a copy that lost a file to that race is taken again.
  for (let attempt = 1; ; attempt++) {
    try {
      return readJournalCopy(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 10) throw error;
    }
  }
}

function readJournalCopy(dir: string): StreamEvent[] {
  if (!existsSync(dir)) return [];
  const copy = mkdtempSync(join(tmpdir(), 'journal-copy-'));
  try {
    cpSync(dir, copy, { recursive: true, filter: (source) => !source.includes('dead-letter') });
    const journal = new DiskJournal({ dir: copy, maxBytes: Number.MAX_SAFE_INTEGER, sync: false });
    const events: StreamEvent[] = [];
    for (let batch = journal.peek(500, 64 << 20); batch.length > 0; journal.ack(batch.length), batch = journal.peek(500, 64 << 20)) {
      for (const record of batch) events.push(...decodeRecord(record.data).events);
    }
    journal.close();
    return events;
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}
