import { setTimeout as sleep } from 'node:timers/promises';
import type { KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { classifyOutage, OutageStore, type StorageOutage } from '../../core/consumer/classifyOutage.ts';
import { StorageUnavailableError } from '../../core/consumer/errors.ts';
import { backoffDelay } from '../../core/retry.ts';

/**
 * The semantics of a Lambda Kinesis event source mapping, for one shard, without AWS: the local
 * runner feeds it records read from the emulator and it invokes the consumer handler the way
 * Lambda would (ReportBatchItemFailures checkpointing, BisectBatchOnFunctionError, bounded
 * retries, MaximumRecordAgeInSeconds, and an on-failure destination for what could not be
 * processed).
 */
export interface EventSourceMappingSettings {
  readonly batchSize: number;
  readonly maximumBatchingWindowMs: number;
  readonly bisectBatchOnFunctionError: boolean;
  readonly maximumRetryAttempts: number;
  readonly maximumRecordAgeMs: number;
  readonly retryBaseMs: number;
  /**
   * Cap of the wait between retries of a batch whose store is unavailable (disk full, database
   * down). Those retries are not attempts: they never bisect, age out or reach on-failure.
   */
  readonly outageBackoffMaxMs?: number;
}

export const DEFAULT_ESM_SETTINGS: EventSourceMappingSettings = {
  batchSize: 100,
  maximumBatchingWindowMs: 500,
  bisectBatchOnFunctionError: true,
  maximumRetryAttempts: 5,
  maximumRecordAgeMs: 24 * 3600_000,
  retryBaseMs: 200,
  outageBackoffMaxMs: 5000,
};

export interface DeliveryOptions {
  readonly now?: () => number;
  readonly observer?: OutageObserver;
  /** Ends a wait for storage early (deliverBatch then rejects with an AbortError). */
  readonly signal?: AbortSignal;
}

/** Told when delivery waits for storage to come back, and when it has. */
export interface OutageObserver {
  paused(outage: StorageOutage, retry: number, delayMs: number): void;
  resumed(pausedMs: number): void;
}

export type KinesisHandler = (event: KinesisStreamEvent) => Promise<KinesisStreamBatchResponse | void>;

export interface OnFailure {
  (records: readonly KinesisStreamRecord[], reason: string): Promise<void>;
}

export interface BatchOutcome {
  readonly invocations: number;
  readonly failedInvocations: number;
  readonly discarded: number;
}

/** Compares Kinesis sequence numbers (decimal strings longer than a double's precision). */
export function compareSequenceNumbers(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Delivers one batch with Lambda's semantics. Returns once every record was either processed or
 * handed to `onFailure`: the caller may then advance its checkpoint past the whole batch.
 *
 * One difference from Lambda, on purpose: when the handler throws StorageUnavailableError (the
 * sink or the dead letter cannot be written) or `onFailure` itself fails, the same records are
 * retried with capped exponential backoff for as long as it takes. An outage of the disk or the
 * database is not the records' fault, so it must not spend their retry budget or send them to
 * the on-failure destination; nothing past them is read meanwhile (the poller awaits this).
 */
export async function deliverBatch(
  records: readonly KinesisStreamRecord[],
  handler: KinesisHandler,
  onFailure: OnFailure,
  settings: EventSourceMappingSettings,
  options: DeliveryOptions = {},
): Promise<BatchOutcome> {
  const { now = Date.now, observer, signal } = options;
  const outcome = { invocations: 0, failedInvocations: 0, discarded: 0 };
  const maxMs = settings.outageBackoffMaxMs ?? DEFAULT_ESM_SETTINGS.outageBackoffMaxMs!;
  const untilStored = async <T>(store: OutageStore, fn: () => Promise<T>): Promise<T> => {
    let started = 0;
    for (let retry = 0; ; retry++) {
      try {
        const result = await fn();
        if (retry > 0) observer?.resumed(now() - started);
        return result;
      } catch (error) {
        const outage =
          error instanceof StorageUnavailableError ? error.outage : store === OutageStore.OnFailure ? classifyOutage(store, error) : null;
        if (!outage) throw error;
        if (retry === 0) started = now();
        // Half fixed, half jitter: never a busy loop, and shards do not retry in lockstep.
        const ceiling = Math.min(maxMs, settings.retryBaseMs * 2 ** Math.min(retry, 20));
        const delayMs = Math.ceil(ceiling / 2 + backoffDelay(retry, { baseMs: settings.retryBaseMs, maxMs: ceiling / 2 }));
        observer?.paused(outage, retry, delayMs);
        // Aborting (a shutdown that cannot wait any longer) rejects here: nothing is acknowledged.
        await sleep(delayMs, undefined, signal ? { signal } : undefined);
      }
    }
  };
  const sendToOnFailure = (failed: readonly KinesisStreamRecord[], reason: string) =>
    untilStored(OutageStore.OnFailure, () => onFailure(failed, reason));
  await deliver(records, 0);
  return outcome;

  async function deliver(batch: readonly KinesisStreamRecord[], attempt: number): Promise<void> {
    let pending = batch;
    for (let tries = attempt; pending.length > 0; tries++) {
      const fresh = pending.filter((r) => now() - r.kinesis.approximateArrivalTimestamp * 1000 <= settings.maximumRecordAgeMs);
      if (fresh.length < pending.length) {
        const expired = pending.filter((r) => !fresh.includes(r));
        outcome.discarded += expired.length;
        await sendToOnFailure(expired, 'record older than MaximumRecordAge');
        pending = fresh;
        if (pending.length === 0) return;
      }
      outcome.invocations++;
      let failedFrom: number;
      let reason: string;
      let threw = false;
      try {
        const response = await untilStored(OutageStore.Sink, () => handler(toEvent(pending)));
        const failures = response?.batchItemFailures ?? [];
        if (failures.length === 0) return;
        const lowest = failures.map((f) => f.itemIdentifier).sort(compareSequenceNumbers)[0]!;
        failedFrom = pending.findIndex((r) => r.kinesis.sequenceNumber === lowest);
        // An identifier that is not in the batch fails the whole batch, as Lambda does.
        if (failedFrom < 0) failedFrom = 0;
        reason = `batch item failure from sequence number ${lowest}`;
      } catch (error) {
        failedFrom = 0;
        threw = true;
        reason = `handler error: ${(error as Error).message}`;
      }
      outcome.failedInvocations++;
      pending = pending.slice(failedFrom);
      if (tries >= settings.maximumRetryAttempts) {
        outcome.discarded += pending.length;
        await sendToOnFailure(pending, `${reason} after ${tries + 1} attempts`);
        return;
      }
      await sleep(backoffDelay(tries, { baseMs: settings.retryBaseMs, maxMs: 5000 }));
      // Lambda bisects only on a function error; reported item failures resume from the checkpoint.
      if (threw && settings.bisectBatchOnFunctionError && pending.length > 1) {
        const half = Math.ceil(pending.length / 2);
        await deliver(pending.slice(0, half), tries + 1);
        await deliver(pending.slice(half), tries + 1);
        return;
      }
    }
  }
}

let eventSourceArn = 'arn:aws:kinesis:local:000000000000:stream/poglytics-events';

export function setEventSourceArn(arn: string): void {
  eventSourceArn = arn;
}

function toEvent(records: readonly KinesisStreamRecord[]): KinesisStreamEvent {
  return { Records: [...records] };
}

/** Shapes one GetRecords record as Lambda's Kinesis event record. */
export function toLambdaRecord(
  shardId: string,
  record: { SequenceNumber?: string; PartitionKey?: string; Data?: Uint8Array; ApproximateArrivalTimestamp?: Date },
  region: string,
): KinesisStreamRecord {
  const sequenceNumber = record.SequenceNumber ?? '0';
  return {
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${shardId}:${sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: 'arn:aws:iam::000000000000:role/local',
    awsRegion: region,
    eventSourceARN: eventSourceArn,
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: record.PartitionKey ?? '',
      sequenceNumber,
      data: Buffer.from(record.Data ?? new Uint8Array()).toString('base64'),
      approximateArrivalTimestamp: (record.ApproximateArrivalTimestamp?.getTime() ?? Date.now()) / 1000,
    },
  };
}
