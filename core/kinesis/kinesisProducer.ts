import { setTimeout as sleep } from 'node:timers/promises';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { RecordEncoder, serializeEvent, type EncodeOptions } from '../events/kinesisRecordCodec.ts';
import type { StreamEvent } from '../events/streamEvent.ts';
import type { Logger } from '../log.ts';
import type { IngesterMetrics } from '../metrics.ts';
import type { DiskJournal } from './diskJournal.ts';
import { JournalAppender } from './journalAppender.ts';
import { PutPacer } from './putPacer.ts';
import { batchLength, putRecordsBatch, PUT_RECORDS_MAX_BYTES, type PutEntry } from './putRecordsBatch.ts';

export interface KinesisProducerOptions {
  readonly client: KinesisClient;
  readonly streamName: string;
  /** A partly filled record is sealed and sent after this age. */
  readonly flushMs?: number;
  /** Bytes held in memory (unsealed lines + sealed records + the call in flight) before spilling to the journal. */
  readonly maxBufferBytes?: number;
  readonly journal?: DiskJournal;
  readonly encoder?: EncodeOptions;
  readonly metrics?: IngesterMetrics;
  readonly logger?: Logger;
  readonly maxBackoffMs?: number;
  /**
   * Write-ahead: a record Kinesis has not acknowledged this long after it was sealed moves to the
   * journal (fsynced). While the stream is failing, every sealed record moves at the next tick.
   */
  readonly spillAfterMs?: number;
}

export interface ProducerStats {
  readonly eventsAccepted: number;
  readonly eventsSent: number;
  readonly eventsJournaled: number;
  readonly eventsDropped: number;
  /** Events Kinesis accepted after their record had moved to the journal: they go out once more from there. */
  readonly eventsDuplicated: number;
  readonly bufferBytes: number;
  readonly peakBufferBytes: number;
  readonly journalRecords: number;
}

/** A sealed record held in memory, owned by memory until Kinesis accepts it or it moves to the journal. */
interface HeldRecord extends PutEntry {
  readonly sealedAt: number;
}

interface Batch {
  readonly entries: HeldRecord[];
  readonly source: 'memory' | 'journal';
  readonly bytes: number;
  readonly startedAt: number;
  /** Entries (from the front) that moved to the journal while the call was in flight: the journal owns them now. */
  journaled: number;
}


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
  private memory: HeldRecord[] = [];
  private memoryBytes = 0;
  private inFlight: Batch | undefined;
  private pumping: Promise<void> | undefined;
  private readonly pacer: PutPacer;
  private abort = new AbortController();
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  private readonly appender: JournalAppender | undefined;
  private counts = { accepted: 0, sent: 0, journaled: 0, dropped: 0, duplicated: 0, peak: 0 };

  constructor(private readonly options: KinesisProducerOptions) {
    this.encoder = new RecordEncoder(options.encoder);
    this.flushMs = options.flushMs ?? 250;
    this.spillAfterMs = options.spillAfterMs ?? 1000;
    this.maxBufferBytes = options.maxBufferBytes ?? 64 * 1024 * 1024;
    // The call in flight counts against the bound, so it may use at most half of it.
    this.maxBatchBytes = Math.min(PUT_RECORDS_MAX_BYTES, Math.floor(this.maxBufferBytes / 2));
    this.maxPendingBytes = Math.max(1, Math.floor(this.maxBufferBytes / 4));
    this.pacer = new PutPacer(options.maxBackoffMs ?? 5000);
    if (options.journal) {
      this.appender = new JournalAppender(options.journal, options.metrics, options.logger);
      // The tick is the loss window of a crash while the stream fails: at most ~100 ms of traffic.
      const tickMs = Math.min(100, Math.max(10, Math.floor(this.spillAfterMs / 4)));
      this.journalTimer = setInterval(() => this.journalTick(), tickMs);
      this.journalTimer.unref();
    }
    this.updateGauges();
    if (options.journal && !options.journal.isEmpty) this.kick();
  }

  get bufferBytes(): number {
    return this.encoder.pendingBytes + this.memoryBytes + (this.inFlight?.bytes ?? 0);
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
    const bytes = this.bufferBytes;
    if (bytes > this.counts.peak) this.counts.peak = bytes;
  }

  /** Seals buffered lines into records and starts sending them. */
  seal(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.encoder.pendingLines === 0) return;
    const sealedAt = Date.now();
    for (const record of this.encoder.flush()) {
      this.memory.push({ data: record.data, eventCount: record.eventCount, sealedAt });
      this.memoryBytes += record.data.length;
    }
    this.spillOverflow();
    this.notePeak();
    this.kick();
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
    await this.pumping;
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
    return this.encoder.pendingLines === 0 && this.memory.length === 0 && this.inFlight === undefined && (this.options.journal?.isEmpty ?? true);
  }

  private notePeak(): void {
    const bytes = this.bufferBytes;
    if (bytes > this.counts.peak) this.counts.peak = bytes;
    this.options.metrics?.bufferBytes.set(bytes);
  }

  private updateGauges(): void {
    const m = this.options.metrics;
    if (!m) return;
    m.bufferBytes.set(this.bufferBytes);
    m.bufferEvents.set(this.memory.reduce((n, e) => n + e.eventCount, this.encoder.pendingLines));
    m.journalBytes.set(this.options.journal?.bytes ?? 0);
    m.journalRecords.set(this.options.journal?.records ?? 0);
  }

  /**
   * The write-ahead step, every tick: records unacknowledged for spillAfterMs (all of them while
   * the stream fails, unsealed lines included) move to the journal in one synced append.
   */
  /** The last put failed, or the call in flight has waited past spillAfterMs: what is written now goes to the journal at the next tick. */
  get streamFailing(): boolean {
    return this.isFailing(Date.now());
  }

  private isFailing(now: number): boolean {
    const flight = this.inFlight;
    return this.pacer.streak > 0 || (flight !== undefined && now - flight.startedAt >= this.spillAfterMs);
  }

  private journalTick(): void {
    if (this.closed) return;
    const now = Date.now();
    const flight = this.inFlight;
    const failing = this.isFailing(now);
    if (failing && this.encoder.pendingLines > 0) this.seal();
    const due = (sealedAt: number) => failing || now - sealedAt >= this.spillAfterMs;
    const fromFlight = flight?.source === 'memory' && flight.journaled < flight.entries.length && due(flight.entries[flight.journaled]!.sealedAt) ? flight.entries.length - flight.journaled : 0;
    let fromMemory = 0;
    while (fromMemory < this.memory.length && due(this.memory[fromMemory]!.sealedAt)) fromMemory++;
    if (fromFlight + fromMemory > 0 && this.appender?.canTry(now)) {
      const records = [...(fromFlight > 0 ? flight!.entries.slice(flight!.journaled) : []), ...this.memory.slice(0, fromMemory)];
      const written = this.appender.append(records, now);
      if (fromFlight > 0) flight!.journaled += Math.min(written, fromFlight);
      this.takeFromMemory(Math.max(0, written - fromFlight));
      for (const r of records.slice(0, written)) this.counts.journaled += r.eventCount;
      this.updateGauges();
    }
    if (!this.pumping && (this.memory.length > 0 || !(this.options.journal?.isEmpty ?? true))) this.kick();
  }

  private takeFromMemory(count: number): HeldRecord[] {
    const records = this.memory.splice(0, count);
    for (const r of records) this.memoryBytes -= r.data.length;
    return records;
  }

  /**
   * Keeps memory under its bound by moving the oldest sealed records to the journal, leaving room
   * for the lines of the record being filled.
   */
  private spillOverflow(): void {
    let excess = this.bufferBytes + Math.max(0, this.pendingBudget() - this.encoder.pendingBytes) - this.maxBufferBytes;
    if (excess <= 0) return;
    let count = 0;
    while (excess > 0 && count < this.memory.length) excess -= this.memory[count++]!.data.length;
    this.spill(count, 'buffer_full', Date.now());
  }

  /** Moves the `count` oldest records out of memory: to the journal, or counted as dropped. */
  private spill(count: number, why: 'buffer_full' | 'shutdown', now: number): void {
    if (count === 0) return;
    const records = this.takeFromMemory(count);
    const written = this.appender && (why === 'shutdown' || this.appender.canTry(now)) ? this.appender.append(records, now) : 0;
    for (let i = 0; i < records.length; i++) {
      const events = records[i]!.eventCount;
      if (i < written) this.counts.journaled += events;
      else {
        this.counts.dropped += events;
        const reason = !this.options.journal ? why : this.options.journal.lastErrorCode === 'JOURNAL_FULL' ? 'journal_full' : 'journal_unwritable';
        this.options.metrics?.droppedEvents.inc({ reason }, events);
      }
    }
    if (written < records.length) {
      this.options.logger?.error('dropped events: memory full and the journal refused them', { records: records.length - written, why, reason: this.options.journal?.lastErrorCode, error: this.options.journal?.lastError });
    }
    this.updateGauges();
  }

  private kick(): void {
    if (this.pumping || this.closed) return;
    this.pumping = this.pump().finally(() => {
      this.pumping = undefined;
      // New records may have been sealed while the last call was finishing; the journal tick
      // restarts the pump for a journal that could not be read just now.
      if (!this.closed && this.memory.length > 0) this.kick();
    });
  }

  private async pump(): Promise<void> {
    for (;;) {
      if (this.closed) return;
      const wait = this.pacer.resumeAt - Date.now();
      if (wait > 0) {
        try {
          await sleep(wait, undefined, { signal: this.abort.signal });
        } catch {
          return;
        }
      }
      const batch = this.takeBatch();
      if (!batch) {
        this.updateGauges();
        if (this.isIdle()) for (const resolve of this.idleWaiters.splice(0)) resolve();
        return;
      }
      this.inFlight = batch;
      try {
        await this.send(batch);
      } finally {
        this.inFlight = undefined;
      }
      this.updateGauges();
    }
  }

  private takeBatch(): Batch | undefined {
    const startedAt = Date.now();
    const journal = this.options.journal;
    if (journal && !journal.isEmpty) {
      const entries = journal.peek(this.pacer.window, Math.max(1, this.maxBatchBytes - 18_000));
      if (entries.length > 0) return { entries: entries.map((e) => ({ ...e, sealedAt: startedAt })), source: 'journal', bytes: 0, startedAt, journaled: 0 };
    }
    if (this.memory.length === 0) return undefined;
    const entries = this.memory.splice(0, batchLength(this.memory, this.pacer.window, this.maxBatchBytes));
    let bytes = 0;
    for (const e of entries) bytes += e.data.length;
    this.memoryBytes -= bytes;
    return { entries, source: 'memory', bytes, startedAt, journaled: 0 };
  }

  private async send(batch: Batch): Promise<void> {
    const m = this.options.metrics;
    const started = performance.now();
    try {
      const outcome = await putRecordsBatch(this.options.client, this.options.streamName, batch.entries, { abortSignal: this.abort.signal });
      // No longer in flight: what follows may re-queue entries, which must not count twice.
      this.inFlight = undefined;
      m?.kinesisPutLatency.observe((performance.now() - started) / 1000);
      const journaled = new Set(batch.entries.slice(0, batch.journaled));
      for (const entry of outcome.succeeded) {
        this.counts.sent += entry.eventCount;
        if (journaled.has(entry)) this.counts.duplicated += entry.eventCount;
        m?.kinesisRecords.inc();
        m?.kinesisBytes.inc(entry.data.length);
        m?.kinesisEvents.inc(entry.eventCount);
      }
      if (outcome.failed.length > 0) {
        for (const f of outcome.failed) m?.kinesisFailures.inc({ code: f.code });
        m?.kinesisRetries.inc(outcome.failed.length);
        m?.kinesisThrottles.inc(outcome.throttled);
        this.pacer.failed(outcome.throttled > 0);
      } else this.pacer.succeeded();
      if (batch.source === 'journal') {
        // Failed entries go back to the journal's tail (copies: the batch is a view into the
        // loaded segment) before the batch is acknowledged, so they stay durable throughout.
        const failed = outcome.failed.map((f) => ({ data: Buffer.from(f.entry.data), eventCount: f.entry.eventCount, sealedAt: 0 }));
        const kept = this.appender!.append(failed, Date.now());
        this.options.journal!.ack(batch.entries.length);
        this.requeue(failed.slice(kept));
      } else this.requeue(outcome.failed.map((f) => f.entry).filter((e) => !journaled.has(e)));
    } catch (error) {
      this.inFlight = undefined;
      // The whole call failed: journal entries stay in the journal; memory entries go back unless the journal took them meanwhile.
      if (batch.source === 'memory') this.requeue(batch.entries.slice(batch.journaled));
      if (this.abort.signal.aborted) return;
      const code = (error as Error).name || 'Error';
      m?.kinesisFailures.inc({ code });
      this.pacer.failed(code === 'ProvisionedThroughputExceededException');
      const streak = this.pacer.streak;
      if (streak === 1 || streak % 20 === 0) {
        this.options.logger?.warn('PutRecords failed; retrying', { code, message: (error as Error).message, streak });
      }
    }
  }

  private requeue(entries: HeldRecord[]): void {
    if (entries.length === 0) return;
    this.memory.unshift(...entries);
    for (const e of entries) this.memoryBytes += e.data.length;
    this.spillOverflow();
    this.notePeak();
  }
}
