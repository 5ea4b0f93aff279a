import type { DeadLetterWriter } from '../deadletter/types.ts';
import type { StorageOutage } from './classifyOutage.ts';
import type { Logger } from '../log.ts';
import type { OptOutGate } from '../optout/optOutGate.ts';
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
  /** Events left out because they are by, about or in an opted-out user or channel (issue 18). */
  readonly optedOut: number;
  /** Outcome of each `!optout` / `!optin` command redeemed in the batch. */
  readonly optOutCommands: readonly string[];
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
  /** The opt-out step before the sink write (issue 18); none when absent. */
  readonly optOuts?: Pick<OptOutGate, 'apply'>;
  readonly logger?: Logger;
  readonly now?: () => number;
}

export interface BatchOutcome extends BatchMeasurements {
  /** Kinesis partial-batch response items: the sequence numbers to retry. */
  readonly batchItemFailures: { itemIdentifier: string }[];
  /** Set when a store (not the data) refused a write: retry the reported records, do not give up on them. */
  readonly outage: StorageOutage | null;
}
