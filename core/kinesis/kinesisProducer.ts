import { setTimeout as sleep } from 'node:timers/promises';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { RecordEncoder, serializeEvent, type EncodeOptions } from '../events/kinesisRecordCodec.ts';
import type { StreamEvent } from '../events/streamEvent.ts';
import type { Logger } from '../log.ts';
import type { IngesterMetrics } from '../metrics.ts';
import type { DiskJournal } from './diskJournal.ts';
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
}

export interface ProducerStats {
  readonly eventsAccepted: number;
  readonly eventsSent: number;
  readonly eventsJournaled: number;
  readonly eventsDropped: number;
  readonly bufferBytes: number;
  readonly peakBufferBytes: number;
  readonly journalRecords: number;
}

interface Batch {
  readonly entries: PutEntry[];
  readonly source: 'memory' | 'journal';
  readonly bytes: number;
}

/**
 * Batches StreamEvents into compressed NDJSON records (the shared codec) and writes them to Kinesis.
 *
 * - Records are sealed when the encoder's size budget is reached or after `flushMs`.
 * - PutRecords calls stay within 500 entries and 5 MiB; only failed entries are retried.
 * - Throttling halves the entries per call and backs off; success grows it again (PutPacer).
 * - Memory is bounded: above `maxBufferBytes` the oldest sealed records spill to the disk
 *   journal, which is drained before memory once Kinesis accepts writes again. Only a journal
 *   that is full (its bound or the disk) drops records, and every dropped event is counted.
 */
export class KinesisProducer {
  private readonly encoder: RecordEncoder;
  private readonly flushMs: number;
  private readonly maxBufferBytes: number;
  private readonly maxBatchBytes: number;
  /** The record being filled never holds more than a quarter of the bound, whatever the encoder's budget. */
  private readonly maxPendingBytes: number;
  private flushTimer: NodeJS.Timeout | undefined;
  private memory: PutEntry[] = [];
  private memoryBytes = 0;
  private inFlightBytes = 0;
  private pumping = false;
  private readonly pacer: PutPacer;
  private abort = new AbortController();
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  private counts = { accepted: 0, sent: 0, journaled: 0, dropped: 0, peak: 0 };

  constructor(private readonly options: KinesisProducerOptions) {
    this.encoder = new RecordEncoder(options.encoder);
    this.flushMs = options.flushMs ?? 250;
    this.maxBufferBytes = options.maxBufferBytes ?? 64 * 1024 * 1024;
    // The call in flight counts against the bound, so it may use at most half of it.
    this.maxBatchBytes = Math.min(PUT_RECORDS_MAX_BYTES, Math.floor(this.maxBufferBytes / 2));
    this.maxPendingBytes = Math.max(1, Math.floor(this.maxBufferBytes / 4));
    this.pacer = new PutPacer(options.maxBackoffMs ?? 5000);
    this.updateGauges();
    if (options.journal && !options.journal.isEmpty) this.kick();
  }

  get bufferBytes(): number {
    return this.encoder.pendingBytes + this.memoryBytes + this.inFlightBytes;
  }

  stats(): ProducerStats {
    return {
      eventsAccepted: this.counts.accepted,
      eventsSent: this.counts.sent,
      eventsJournaled: this.counts.journaled,
      eventsDropped: this.counts.dropped,
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
    const records = this.encoder.flush();
    for (const record of records) {
      this.memory.push({ data: record.data, eventCount: record.eventCount });
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
    this.abort.abort();
    while (this.pumping) await sleep(5);
    this.spill(this.memory.length, 'shutdown');
    this.options.journal?.close();
    this.updateGauges();
    return this.stats();
  }

  /** Uncompressed bytes at which the record being filled is sealed. */
  private pendingBudget(): number {
    return Math.min(this.encoder.uncompressedBudget, this.maxPendingBytes);
  }

  private isIdle(): boolean {
    return this.encoder.pendingLines === 0 && this.memory.length === 0 && this.inFlightBytes === 0 && (this.options.journal?.isEmpty ?? true);
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
   * Keeps memory under its bound by moving the oldest sealed records to the journal, leaving room
   * for the lines of the record being filled.
   */
  private spillOverflow(): void {
    let excess = this.bufferBytes + Math.max(0, this.pendingBudget() - this.encoder.pendingBytes) - this.maxBufferBytes;
    if (excess <= 0) return;
    let count = 0;
    while (excess > 0 && count < this.memory.length) excess -= this.memory[count++]!.data.length;
    this.spill(count, 'buffer_full');
  }

  private spill(count: number, why: 'buffer_full' | 'shutdown'): void {
    if (count === 0) return;
    const records = this.memory.splice(0, count);
    for (const r of records) this.memoryBytes -= r.data.length;
    const written = this.options.journal?.append(records) ?? 0;
    for (let i = 0; i < records.length; i++) {
      const events = records[i]!.eventCount;
      if (i < written) this.counts.journaled += events;
      else {
        this.counts.dropped += events;
        this.options.metrics?.droppedEvents.inc({ reason: this.options.journal ? 'journal_full' : why }, events);
      }
    }
    if (written < records.length) {
      this.options.logger?.error('dropped events: journal full', { records: records.length - written, why });
    }
    this.updateGauges();
  }

  private kick(): void {
    if (this.pumping || this.closed) return;
    this.pumping = true;
    void this.pump().finally(() => {
      this.pumping = false;
      if (!this.closed && (this.memory.length > 0 || !(this.options.journal?.isEmpty ?? true))) this.kick();
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
      await this.send(batch);
    }
  }

  private takeBatch(): Batch | undefined {
    const journal = this.options.journal;
    if (journal && !journal.isEmpty) {
      const entries = journal.peek(this.pacer.window, Math.max(1, this.maxBatchBytes - 18_000));
      if (entries.length > 0) return { entries, source: 'journal', bytes: 0 };
    }
    if (this.memory.length === 0) return undefined;
    const n = batchLength(this.memory, this.pacer.window, this.maxBatchBytes);
    const entries = this.memory.splice(0, n);
    let bytes = 0;
    for (const e of entries) bytes += e.data.length;
    this.memoryBytes -= bytes;
    this.inFlightBytes = bytes;
    return { entries, source: 'memory', bytes };
  }

  private async send(batch: Batch): Promise<void> {
    const m = this.options.metrics;
    const started = performance.now();
    try {
      const outcome = await putRecordsBatch(this.options.client, this.options.streamName, batch.entries, { abortSignal: this.abort.signal });
      m?.kinesisPutLatency.observe((performance.now() - started) / 1000);
      for (const entry of outcome.succeeded) {
        this.counts.sent += entry.eventCount;
        m?.kinesisRecords.inc();
        m?.kinesisBytes.inc(entry.data.length);
        m?.kinesisEvents.inc(entry.eventCount);
      }
      if (batch.source === 'journal') this.options.journal!.ack(batch.entries.length);
      this.inFlightBytes = 0;
      // Journal entries are views into the loaded segment: copy the few that go back to memory.
      const failed = outcome.failed.map((f) => (batch.source === 'journal' ? { data: Buffer.from(f.entry.data), eventCount: f.entry.eventCount } : f.entry));
      if (failed.length > 0) {
        for (const f of outcome.failed) m?.kinesisFailures.inc({ code: f.code });
        m?.kinesisRetries.inc(failed.length);
        m?.kinesisThrottles.inc(outcome.throttled);
        this.requeue(failed);
        this.pacer.failed(outcome.throttled > 0);
      } else this.pacer.succeeded();
    } catch (error) {
      this.inFlightBytes = 0;
      if (batch.source === 'memory') this.requeue(batch.entries);
      if (this.abort.signal.aborted) return;
      const code = (error as Error).name || 'Error';
      m?.kinesisFailures.inc({ code });
      this.pacer.failed(code === 'ProvisionedThroughputExceededException');
      const streak = this.pacer.streak;
      if (streak === 1 || streak % 20 === 0) {
        this.options.logger?.warn('PutRecords failed; retrying', { code, message: (error as Error).message, streak });
      }
    }
    this.updateGauges();
  }

  private requeue(entries: PutEntry[]): void {
    this.memory.unshift(...entries);
    for (const e of entries) this.memoryBytes += e.data.length;
    // Failed journal entries come back as copies: spill what passes the bound before counting.
    this.spillOverflow();
    this.notePeak();
  }
}
