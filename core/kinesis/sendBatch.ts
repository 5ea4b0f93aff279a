import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { Logger } from '../log.ts';
import type { IngesterMetrics } from '../metrics.ts';
import type { DiskJournal } from './diskJournal.ts';
import type { JournalAppender } from './journalAppender.ts';
import type { Batch } from './kinesisProducerOptions.ts';
import type { PutPacer } from './putPacer.ts';
import { putRecordsBatch } from './putRecordsBatch.ts';
import type { HeldRecord } from './recordMemory.ts';

/** What one put needs from its producer. */
export interface SendContext {
  readonly client: KinesisClient;
  readonly streamName: string;
  readonly signal: AbortSignal;
  readonly pacer: PutPacer;
  readonly counts: { sent: number; duplicated: number };
  readonly journal: DiskJournal | undefined;
  readonly appender: JournalAppender | undefined;
  readonly metrics: IngesterMetrics | undefined;
  readonly logger: Logger | undefined;
  /** The call has returned: the batch's bytes no longer count as in flight (before anything is re-queued). */
  settled(): void;
  /** Entries to send again from memory. */
  requeue(entries: HeldRecord[]): void;
}

/**
 * One PutRecords call for a batch, and what follows from its outcome: accepted entries counted
 * (twice-sent ones too, when their record had moved to the journal meanwhile), failed entries
 * retried (journal entries appended again before the batch is acknowledged, so they stay durable;
 * memory entries re-queued unless the journal owns them), the pacer told. Never throws.
 */
export async function sendBatch(batch: Batch, ctx: SendContext): Promise<void> {
  const m = ctx.metrics;
  const started = performance.now();
  try {
    const outcome = await putRecordsBatch(ctx.client, ctx.streamName, batch.entries, { abortSignal: ctx.signal });
    // No longer in flight: what follows may re-queue entries, which must not count twice.
    ctx.settled();
    m?.kinesisPutLatency.observe((performance.now() - started) / 1000);
    const journaled = new Set(batch.entries.slice(0, batch.journaled));
    for (const entry of outcome.succeeded) {
      ctx.counts.sent += entry.eventCount;
      if (journaled.has(entry)) ctx.counts.duplicated += entry.eventCount;
      m?.kinesisRecords.inc();
      m?.kinesisBytes.inc(entry.data.length);
      m?.kinesisEvents.inc(entry.eventCount);
    }
    if (outcome.failed.length > 0) {
      for (const f of outcome.failed) m?.kinesisFailures.inc({ code: f.code });
      m?.kinesisRetries.inc(outcome.failed.length);
      m?.kinesisThrottles.inc(outcome.throttled);
      ctx.pacer.failed(outcome.throttled > 0);
    } else ctx.pacer.succeeded();
    if (batch.source === 'journal') {
      // Failed entries go back to the journal's tail (copies: the batch is a view into the
      // loaded segment) before the batch is acknowledged, so they stay durable throughout.
      const failed = outcome.failed.map((f) => ({ data: Buffer.from(f.entry.data), eventCount: f.entry.eventCount, sealedAt: 0 }));
      const kept = ctx.appender!.append(failed, Date.now());
      ctx.journal!.ack(batch.entries.length);
      ctx.requeue(failed.slice(kept));
    } else ctx.requeue(outcome.failed.map((f) => f.entry).filter((e) => !journaled.has(e)));
  } catch (error) {
    ctx.settled();
    // The whole call failed: journal entries stay in the journal; memory entries go back unless the journal took them meanwhile.
    if (batch.source === 'memory') ctx.requeue(batch.entries.slice(batch.journaled));
    if (ctx.signal.aborted) return;
    const code = (error as Error).name || 'Error';
    m?.kinesisFailures.inc({ code });
    ctx.pacer.failed(code === 'ProvisionedThroughputExceededException');
    const streak = ctx.pacer.streak;
    if (streak === 1 || streak % 20 === 0) {
      ctx.logger?.warn('PutRecords failed; retrying', { code, message: (error as Error).message, streak });
    }
  }
}
