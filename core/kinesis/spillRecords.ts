import type { Logger } from '../log.ts';
import type { IngesterMetrics } from '../metrics.ts';
import type { DiskJournal } from './diskJournal.ts';
import type { JournalAppender } from './journalAppender.ts';
import type { HeldRecord } from './recordMemory.ts';

export type SpillReason = 'buffer_full' | 'shutdown';

export interface SpillContext {
  readonly journal: DiskJournal | undefined;
  readonly appender: JournalAppender | undefined;
  readonly counts: { journaled: number; dropped: number };
  readonly metrics: IngesterMetrics | undefined;
  readonly logger: Logger | undefined;
}

/**
 * Records that must leave memory now (over the bound, or at shutdown): to the journal, or counted
 * as dropped with the reason (no journal, journal full, journal unwritable) and logged with the
 * disk's own error. At shutdown the journal is tried even while its backoff says wait.
 */
export function spillRecords(records: readonly HeldRecord[], why: SpillReason, now: number, ctx: SpillContext): void {
  if (records.length === 0) return;
  const written = ctx.appender && (why === 'shutdown' || ctx.appender.canTry(now)) ? ctx.appender.append(records, now) : 0;
  for (let i = 0; i < records.length; i++) {
    const events = records[i]!.eventCount;
    if (i < written) ctx.counts.journaled += events;
    else {
      ctx.counts.dropped += events;
      const reason = !ctx.journal ? why : ctx.journal.lastErrorCode === 'JOURNAL_FULL' ? 'journal_full' : 'journal_unwritable';
      ctx.metrics?.droppedEvents.inc({ reason }, events);
    }
  }
  if (written < records.length) {
    ctx.logger?.error('dropped events: memory full and the journal refused them', {
      records: records.length - written,
      why,
      reason: ctx.journal?.lastErrorCode,
      error: ctx.journal?.lastError,
    });
  }
}
