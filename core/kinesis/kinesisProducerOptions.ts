import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { EncodeOptions } from '../events/kinesisRecordCodec.ts';
import type { Logger } from '../log.ts';
import type { IngesterMetrics } from '../metrics.ts';
import type { DiskJournal } from './diskJournal.ts';
import { PARTITION_KEY_BYTES, PUT_RECORDS_MAX_ENTRIES } from './putRecordsBatch.ts';
import type { HeldRecord } from './recordMemory.ts';

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

/** One PutRecords call's entries, from memory or from the journal. */
export interface Batch {
  readonly entries: HeldRecord[];
  readonly source: 'memory' | 'journal';
  readonly bytes: number;
  readonly startedAt: number;
  /** Entries (from the front) that moved to the journal while the call was in flight: the journal owns them now. */
  journaled: number;
}

/** A partly filled record waits at most this long: the latency the stream adds to a quiet channel's line. */
export const DEFAULT_FLUSH_MS = 250;
/** Write-ahead: a record Kinesis has not acknowledged this long after sealing goes to the journal (KINESIS_SPILL_AFTER_MS). */
export const DEFAULT_SPILL_AFTER_MS = 1000;
/** Memory an ingester's producer may hold (unsealed, sealed, in flight) before records spill to the journal. */
export const DEFAULT_MAX_BUFFER_BYTES = 64 * 1024 * 1024;
/** Longest pause between puts while the stream fails or throttles. */
export const DEFAULT_MAX_BACKOFF_MS = 5000;
/** The journal tick, and so the most traffic a crash loses while the stream fails. */
export const MAX_JOURNAL_TICK_MS = 100;

/**
 * A journal batch's limit counts record data only, but a PutRecords call's 5 MiB also counts each
 * entry's partition key: leave room for the keys of a full call (500 entries).
 */
export const JOURNAL_BATCH_KEY_HEADROOM = PUT_RECORDS_MAX_ENTRIES * PARTITION_KEY_BYTES;
