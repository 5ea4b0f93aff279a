import type { Logger } from '../log.ts';
import type { IngesterMetrics } from '../metrics.ts';
import type { DiskJournal, JournalRecord } from './diskJournal.ts';

/** Whether the disk takes appends: refusals are retried after `retryAt`, with backoff. */
type JournalHealth =
  | { readonly state: 'ok' }
  | { readonly state: 'refusing'; readonly since: number; readonly failures: number; readonly retryAt: number; readonly reason: string };

/**
 * The producer's one way to write its journal: a synced append, with what the disk refused
 * (ENOSPC, EACCES, the journal's own bound) logged once per streak, counted by error code, and
 * not tried again before a backoff (100 ms doubling to 5 s) so a full disk costs no syscall storm.
 */
export class JournalAppender {
  private health: JournalHealth = { state: 'ok' };

  constructor(
    readonly journal: DiskJournal,
    private readonly metrics: IngesterMetrics | undefined,
    private readonly logger: Logger | undefined,
  ) {}

  /** False while a refusal's backoff runs. */
  canTry(now: number): boolean {
    return this.health.state === 'ok' || now >= this.health.retryAt;
  }

  /** The error code of the last refusal while the journal refuses, else undefined. */
  get refusing(): string | undefined {
    return this.health.state === 'refusing' ? this.health.reason : undefined;
  }

  /** Appends and syncs; returns how many records (from the front) are now on disk. */
  append(records: readonly JournalRecord[], now: number): number {
    if (records.length === 0) return 0;
    const written = this.journal.append(records);
    if (written > 0) this.metrics?.journalSyncs.inc();
    if (written === records.length) {
      if (this.health.state === 'refusing') {
        this.logger?.info('journal writable again', { refusedForMs: now - this.health.since });
        this.health = { state: 'ok' };
      }
      return written;
    }
    const reason = this.journal.lastErrorCode ?? 'EUNKNOWN';
    const previous = this.health;
    const failures = previous.state === 'refusing' ? previous.failures + 1 : 1;
    this.metrics?.journalWriteErrors.inc({ reason });
    if (failures === 1 || failures % 20 === 0) {
      this.logger?.error('journal write refused; keeping records in memory and retrying', {
        reason,
        error: this.journal.lastError,
        failures,
        journaled: written,
        held: records.length - written,
      });
    }
    this.health = {
      state: 'refusing',
      since: previous.state === 'refusing' ? previous.since : now,
      failures,
      reason,
      retryAt: now + Math.min(5000, 100 * 2 ** Math.min(failures, 6)),
    };
    return written;
  }
}
