import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { EncodeOptions } from '../events/kinesisRecordCodec.ts';
import type { Logger } from '../log.ts';
import type { IngesterMetrics } from '../metrics.ts';
import type { DiskJournal } from './diskJournal.ts';
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
