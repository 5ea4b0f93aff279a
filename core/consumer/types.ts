import type { DeadLetterWriter } from '../deadletter/types.ts';
import type { StorageOutage } from './classifyOutage.ts';
import type { Logger } from '../log.ts';
import type { Sink } from '../sinks/types.ts';

/** One Kinesis record as the consumer needs it (the Lambda event and the local poller both map to this). */
export interface KinesisRecordInput {
  readonly sequenceNumber: string;
  readonly shardId: string | null;
  /** The record's data, already base64-decoded. */
  readonly data: Uint8Array;
}

/** What one batch did; every consumer metrics sink receives this. */
export interface BatchMeasurements {
  readonly sink: string;
  readonly records: number;
  readonly events: number;
  readonly inserted: number;
  readonly duplicates: number;
  readonly deadLettered: number;
  readonly failedRecords: number;
  /** Duration of the bulk sink write (0 when nothing was written). */
  readonly insertMs: number;
  /** now − sent_at (captured_at for snapshots) of each event stored by this batch. */
  readonly latenciesMs: readonly number[];
}

/** Where batch measurements go: CloudWatch EMF on AWS, Prometheus locally, a list in tests. */
export interface ConsumerMetrics {
  recordBatch(measurements: BatchMeasurements): void | Promise<void>;
}

export interface ConsumerDeps {
  readonly sink: Sink;
  readonly deadLetter: DeadLetterWriter;
  readonly metrics?: ConsumerMetrics;
  readonly logger?: Logger;
  readonly now?: () => number;
}

export interface BatchOutcome extends BatchMeasurements {
  /** Kinesis partial-batch response items: the sequence numbers to retry. */
  readonly batchItemFailures: { itemIdentifier: string }[];
  /** Set when a store (not the data) refused a write: retry the reported records, do not give up on them. */
  readonly outage: StorageOutage | null;
}
