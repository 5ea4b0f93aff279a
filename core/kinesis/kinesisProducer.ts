import { setTimeout as sleep } from 'node:timers/promises';
import { RecordEncoder, serializeEvent } from '../events/kinesisRecordCodec.ts';
import type { StreamEvent } from '../events/streamEvent.ts';
import type { RecordRewriter } from './diskJournal.ts';
import { JournalAppender } from './journalAppender.ts';
import { PutLoop } from './putLoop.ts';
import { PutPacer } from './putPacer.ts';
import { PUT_RECORDS_MAX_BYTES } from './putRecordsBatch.ts';
import {
  DEFAULT_FLUSH_MS,
  DEFAULT_MAX_BACKOFF_MS,
  DEFAULT_MAX_BUFFER_BYTES,
  DEFAULT_SPILL_AFTER_MS,
  JOURNAL_BATCH_KEY_HEADROOM,
  MAX_JOURNAL_TICK_MS,
  type Batch,
  type KinesisProducerOptions,
  type ProducerStats,
} from './kinesisProducerOptions.ts';
import { RecordMemory, type HeldRecord } from './recordMemory.ts';
import { sendBatch, type SendContext } from './sendBatch.ts';
import { spillRecords, type SpillContext, type SpillReason } from './spillRecords.ts';

export type { KinesisProducerOptions, ProducerStats } from './kinesisProducerOptions.ts';

/** What a `rewriteRecords` left out: events from memory, records and events from the journal files. */
export interface RecordsRewritten {
  readonly memoryEvents: number;
  readonly journalRecords: number;
  readonly journalEvents: number;
}

interface PendingRewrite {
  readonly rewrite: RecordRewriter;
  readonly done: (report: RecordsRewritten) => void;
  /** Memory rewritten (in the first slice); the journal rewritten up to segment `after`, to go through `through`. */
  memoryEvents: number | undefined;
  after: number | undefined;
  through: number | undefined;
  journalRecords: number;
  journalEvents: number;
}

/** A journal rewrite holds the event loop at most about this long per tick (a big journal takes several ticks). */
const REWRITE_SLICE_MS = 50;
const REWRITE_RETRY_MS = 5000;

/**
 * Batches StreamEvents into compressed NDJSON records (the shared codec) and writes them to Kinesis.
 *
 * - Records are sealed when the encoder's size budget is reached or after `flushMs`.
 * - PutRecords calls stay within 500 entries and 5 MiB; only failed entries are retried.
 * - Throttling halves the entries per call and backs off; success grows it again (PutPacer).
 * - Write-ahead journal: a record that Kinesis has not acknowledged `spillAfterMs` after it was
 *   sealed moves to the disk journal, and while the stream is failing every record moves at the
 *   next tick (every ~100 ms: one write and one fdatasync per tick, nothing per event). A `kill -9`
 *   then loses at most what arrived since the last tick. Once journaled, a record belongs to the
 *   journal: a call still in flight for it may succeed, and then it is sent once more from the
 *   journal (counted in eventsDuplicated; sinks dedupe) but never re-queued in memory.
 * - Memory is bounded: above `maxBufferBytes` the oldest records move to the journal at once.
 *   The journal is drained before memory. A journal the disk refuses (ENOSPC, EACCES) is retried
 *   with backoff while records wait in memory; only when memory is full too are events dropped,
 *   and every dropped event is counted.
 */
export class KinesisProducer {
  private readonly encoder: RecordEncoder;
  private readonly flushMs: number;
  private readonly spillAfterMs: number;
  private readonly maxBufferBytes: number;
  private readonly maxBatchBytes: number;
  /** The record being filled never holds more than a quarter of the bound, whatever the encoder's budget. */
  private readonly maxPendingBytes: number;
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly journalTimer: NodeJS.Timeout | undefined;
  private readonly memory = new RecordMemory();
  private readonly putLoop: PutLoop;
  private readonly pacer: PutPacer;
  private readonly abort = new AbortController();
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  private readonly appender: JournalAppender | undefined;
  private readonly sendContext: SendContext & SpillContext;
  /** Rewrites waiting for a moment without a put call in flight (their batch would be acknowledged by position). */
  private readonly rewrites: PendingRewrite[] = [];
  private rewriteRetryAt = 0;
  private readonly counts = { accepted: 0, sent: 0, journaled: 0, dropped: 0, duplicated: 0, peak: 0 };

  constructor(private readonly options: KinesisProducerOptions) {
    this.encoder = new RecordEncoder(options.encoder);
    this.flushMs = options.flushMs ?? DEFAULT_FLUSH_MS;
    this.spillAfterMs = options.spillAfterMs ?? DEFAULT_SPILL_AFTER_MS;
    this.maxBufferBytes = options.maxBufferBytes ?? DEFAULT_MAX_BUFFER_BYTES;
    // The call in flight counts against the bound, so it may use at most half of it.
    this.maxBatchBytes = Math.min(PUT_RECORDS_MAX_BYTES, Math.floor(this.maxBufferBytes / 2));
    this.maxPendingBytes = Math.max(1, Math.floor(this.maxBufferBytes / 4));
    this.pacer = new PutPacer(options.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS);
    if (options.journal) {
      this.appender = new JournalAppender(options.journal, options.metrics, options.logger);
      // Four ticks per spill window (a shorter window in tests ticks faster), never under 10 ms.
      const tickMs = Math.min(MAX_JOURNAL_TICK_MS, Math.max(10, Math.floor(this.spillAfterMs / 4)));
      this.journalTimer = setInterval(() => this.journalTick(), tickMs);
      this.journalTimer.unref();
    }
    this.sendContext = {
      client: options.client,
      streamName: options.streamName,
      signal: this.abort.signal,
      pacer: this.pacer,
      counts: this.counts,
      journal: options.journal,
      appender: this.appender,
      metrics: options.metrics,
      logger: options.logger,
      settled: () => (this.putLoop.inFlight = undefined),
      requeue: (entries) => this.requeue(entries),
    };
    this.putLoop = new PutLoop({
      pacer: this.pacer,
      signal: this.abort.signal,
      takeBatch: () => this.takeBatch(),
      send: (batch) => sendBatch(batch, this.sendContext),
      afterSend: () => this.updateGauges(),
      onDrained: () => {
        this.updateGauges();
        if (this.isIdle()) for (const resolve of this.idleWaiters.splice(0)) resolve();
      },
      hasQueued: () => this.memory.length > 0,
    });
    this.updateGauges();
    if (options.journal && !options.journal.isEmpty) this.putLoop.kick();
  }

  get bufferBytes(): number {
    return this.encoder.pendingBytes + this.memory.bytes + (this.putLoop.inFlight?.bytes ?? 0);
  }

  stats(): ProducerStats {
    return {
      eventsAccepted: this.counts.accepted,
      eventsSent: this.counts.sent,
      eventsJournaled: this.counts.journaled,
      eventsDropped: this.counts.dropped,
      eventsDuplicated: this.counts.duplicated,
      bufferBytes: this.bufferBytes,
      peakBufferBytes: this.counts.peak,
      journalRecords: this.options.journal?.records ?? 0,
    };
  }

  add(event: StreamEvent): void {
    this.addLine(serializeEvent(event));
  }

  /** Adds one already-serialized event (an NDJSON line without the newline). */
  addLine(line: string): void {
    if (this.closed) throw new Error('KinesisProducer is closed');
    this.encoder.append(line);
    this.added();
  }

  /** addLine for a line already in UTF-8 (copied before this returns). */
  addUtf8(line: Uint8Array): void {
    if (this.closed) throw new Error('KinesisProducer is closed');
    this.encoder.appendUtf8(line);
    this.added();
  }

  private added(): void {
    this.counts.accepted += 1;
    // Seal at the record budget, and also whenever the buffer as a whole would pass its bound
    // (sealing compresses the pending lines and spills the oldest records to the journal).
    if (this.encoder.pendingBytes >= this.pendingBudget() || this.bufferBytes > this.maxBufferBytes) this.seal();
    else if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => this.seal(), this.flushMs);
      this.flushTimer.unref();
    }
    this.notePeak(false);
  }

  /** Seals buffered lines into records and starts sending them. */
  seal(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.encoder.pendingLines === 0) return;
    const sealedAt = Date.now();
    for (const record of this.encoder.flush()) this.memory.push({ data: record.data, eventCount: record.eventCount, sealedAt });
    this.spillOverflow();
    this.notePeak();
    this.putLoop.kick();
  }

  /**
   * Rewrites every record this producer still holds, in memory and in the journal files, with
   * `rewrite` (opt-out deletion). The lines being filled are sealed first, so nothing accepted
   * before this call escapes it. It runs between two put calls (at once when none is in flight,
   * else at the next journal tick without one: while the stream is down, during the backoff), and
   * when the disk refuses, again 5 s later. Resolves with what it left out.
   */
  rewriteRecords(rewrite: RecordRewriter): Promise<RecordsRewritten> {
    this.seal();
    const done = new Promise<RecordsRewritten>((resolve) =>
      this.rewrites.push({
        rewrite,
        done: resolve,
        memoryEvents: undefined,
        after: undefined,
        through: undefined,
        journalRecords: 0,
        journalEvents: 0,
      }),
    );
    this.runRewrites(Date.now());
    return done;
  }

  /** One slice of the oldest pending rewrite (all of them at shutdown: `untilDone`). */
  private runRewrites(now: number, untilDone = false): void {
    while (this.rewrites.length > 0 && this.putLoop.inFlight === undefined && now >= this.rewriteRetryAt) {
      const pending = this.rewrites[0]!;
      const { rewrite } = pending;
      // The segments there are now: later ones hold only records from the rewritten memory.
      if (pending.memoryEvents === undefined) pending.through = this.options.journal?.lastSeq;
      pending.memoryEvents ??= this.memory.rewrite((record) => {
        const next = rewrite(record);
        return next === null ? null : next === record ? record : { ...next, sealedAt: record.sealedAt };
      });
      try {
        const slice = this.options.journal?.rewrite(rewrite, {
          ...(pending.after === undefined ? {} : { after: pending.after }),
          ...(pending.through === undefined ? {} : { through: pending.through }),
          ...(untilDone ? {} : { until: Date.now() + REWRITE_SLICE_MS }),
        });
        pending.journalRecords += slice?.removedRecords ?? 0;
        pending.journalEvents += slice?.removedEvents ?? 0;
        if (slice?.next !== undefined) {
          pending.after = slice.next;
          this.updateGauges();
          return;
        }
      } catch (error) {
        this.rewriteRetryAt = now + REWRITE_RETRY_MS;
        this.options.logger?.error('journal rewrite refused by the disk; retrying', { error: error as Error });
        return;
      }
      this.rewrites.shift();
      this.updateGauges();
      pending.done({ memoryEvents: pending.memoryEvents, journalRecords: pending.journalRecords, journalEvents: pending.journalEvents });
    }
  }

  /** Resolves once everything accepted so far is in Kinesis (memory and journal empty). */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Shutdown: seal, keep sending until idle or `deadlineAt`, then abort the call in flight and
   * move whatever is still in memory to the journal (or count it dropped when there is none).
   */
  async close(deadlineAt: number): Promise<ProducerStats> {
    this.seal();
    const remaining = deadlineAt - Date.now();
    if (remaining > 0) {
      const timer = new AbortController();
      await Promise.race([this.whenIdle(), sleep(remaining, undefined, { signal: timer.signal }).catch(() => undefined)]);
      timer.abort();
    }
    this.closed = true;
    clearInterval(this.journalTimer);
    this.abort.abort();
    await this.putLoop.stop();
    this.rewriteRetryAt = 0;
    this.runRewrites(Date.now(), true);
    this.spill(this.memory.length, 'shutdown', Date.now());
    this.options.journal?.close();
    this.updateGauges();
    return this.stats();
  }

  /** Uncompressed bytes at which the record being filled is sealed. */
  private pendingBudget(): number {
    return Math.min(this.encoder.uncompressedBudget, this.maxPendingBytes);
  }

  private isIdle(): boolean {
    return (
      this.encoder.pendingLines === 0 &&
      this.memory.length === 0 &&
      this.putLoop.inFlight === undefined &&
      (this.options.journal?.isEmpty ?? true)
    );
  }

  /** The one place the peak is tracked; the gauge is set too unless on the per-event path (`add`). */
  private notePeak(setGauge = true): void {
    const bytes = this.bufferBytes;
    if (bytes > this.counts.peak) this.counts.peak = bytes;
    if (setGauge) this.options.metrics?.bufferBytes.set(bytes);
  }

  private updateGauges(): void {
    const m = this.options.metrics;
    if (!m) return;
    m.bufferBytes.set(this.bufferBytes);
    m.bufferEvents.set(this.memory.events + this.encoder.pendingLines);
    m.journalBytes.set(this.options.journal?.bytes ?? 0);
    m.journalRecords.set(this.options.journal?.records ?? 0);
  }

  /** The last put failed, or the call in flight has waited past spillAfterMs: what is written now goes to the journal at the next tick. */
  get streamFailing(): boolean {
    return this.isFailing(Date.now());
  }

  private isFailing(now: number): boolean {
    const flight = this.putLoop.inFlight;
    return this.pacer.streak > 0 || (flight !== undefined && now - flight.startedAt >= this.spillAfterMs);
  }

  /**
   * The write-ahead step, every tick: records unacknowledged for spillAfterMs (all of them while
   * the stream fails, unsealed lines included) move to the journal in one synced append.
   */
  private journalTick(): void {
    if (this.closed) return;
    const now = Date.now();
    this.runRewrites(now);
    const flight = this.putLoop.inFlight;
    const failing = this.isFailing(now);
    if (failing && this.encoder.pendingLines > 0) this.seal();
    const due = (sealedAt: number) => failing || now - sealedAt >= this.spillAfterMs;
    const fromFlight =
      flight?.source === 'memory' && flight.journaled < flight.entries.length && due(flight.entries[flight.journaled]!.sealedAt)
        ? flight.entries.length - flight.journaled
        : 0;
    const fromMemory = this.memory.countFromOldest((r) => due(r.sealedAt));
    if (fromFlight + fromMemory > 0 && this.appender?.canTry(now)) {
      const fromMemoryRecords = Array.from({ length: fromMemory }, (_, i) => this.memory.at(i)!);
      const records = [...(fromFlight > 0 ? flight!.entries.slice(flight!.journaled) : []), ...fromMemoryRecords];
      const written = this.appender.append(records, now);
      if (fromFlight > 0) flight!.journaled += Math.min(written, fromFlight);
      this.memory.take(Math.max(0, written - fromFlight));
      for (const r of records.slice(0, written)) this.counts.journaled += r.eventCount;
      this.updateGauges();
    }
    if (!this.putLoop.running && (this.memory.length > 0 || !(this.options.journal?.isEmpty ?? true))) this.putLoop.kick();
  }

  /**
   * Keeps memory under its bound by moving the oldest sealed records to the journal, leaving room
   * for the lines of the record being filled.
   */
  private spillOverflow(): void {
    const excess = this.bufferBytes + Math.max(0, this.pendingBudget() - this.encoder.pendingBytes) - this.maxBufferBytes;
    if (excess > 0) this.spill(this.memory.countToFree(excess), 'buffer_full', Date.now());
  }

  /** Moves the `count` oldest records out of memory: to the journal, or counted as dropped. */
  private spill(count: number, why: SpillReason, now: number): void {
    if (count === 0) return;
    spillRecords(this.memory.take(count), why, now, this.sendContext);
    this.updateGauges();
  }

  private takeBatch(): Batch | undefined {
    const startedAt = Date.now();
    const journal = this.options.journal;
    // While a rewrite runs in slices the journal waits (memory is sent): a batch from a segment not
    // rewritten yet would otherwise send, or on failure append again, what the rewrite removes.
    if (journal && !journal.isEmpty && this.rewrites.length === 0) {
      const entries = journal.peek(this.pacer.window, Math.max(1, this.maxBatchBytes - JOURNAL_BATCH_KEY_HEADROOM));
      if (entries.length > 0)
        return { entries: entries.map((e) => ({ ...e, sealedAt: startedAt })), source: 'journal', bytes: 0, startedAt, journaled: 0 };
    }
    if (this.memory.length === 0) return undefined;
    const { entries, bytes } = this.memory.takeBatch(this.pacer.window, this.maxBatchBytes);
    return { entries, source: 'memory', bytes, startedAt, journaled: 0 };
  }

  private requeue(entries: HeldRecord[]): void {
    if (entries.length === 0) return;
    this.memory.requeue(entries);
    this.spillOverflow();
    this.notePeak();
  }
}
