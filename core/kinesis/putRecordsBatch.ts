import { randomUUID } from 'node:crypto';
import { PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';

/** Kinesis PutRecords limits: 500 entries and 5 MiB (data plus partition keys) per call. */
export const PUT_RECORDS_MAX_ENTRIES = 500;
export const PUT_RECORDS_MAX_BYTES = 5 * 1024 * 1024;
export const PARTITION_KEY_BYTES = 36;

export const THROTTLED_CODE = 'ProvisionedThroughputExceededException';

export interface PutEntry {
  readonly data: Buffer;
  readonly eventCount: number;
}

export interface PutRecordsOutcome<T extends PutEntry> {
  readonly succeeded: T[];
  readonly failed: { entry: T; code: string }[];
  readonly throttled: number;
}

/** How many of `entries` (from the front) fit one PutRecords call, at least one. */
export function batchLength(entries: readonly PutEntry[], maxEntries = PUT_RECORDS_MAX_ENTRIES, maxBytes = PUT_RECORDS_MAX_BYTES): number {
  let bytes = 0;
  let count = 0;
  for (const entry of entries) {
    const size = entry.data.length + PARTITION_KEY_BYTES;
    if (count >= Math.min(maxEntries, PUT_RECORDS_MAX_ENTRIES) || (count > 0 && bytes + size > Math.min(maxBytes, PUT_RECORDS_MAX_BYTES)))
      break;
    bytes += size;
    count += 1;
  }
  return count;
}

/**
 * One PutRecords call. Each record gets a random partition key, which spreads records evenly
 * over the stream's shards (sinks dedupe on event_id, so no ordering key is needed). A call-level
 * failure throws; entry-level failures are returned so that only those are retried.
 */
export async function putRecordsBatch<T extends PutEntry>(
  client: KinesisClient,
  streamName: string,
  entries: readonly T[],
  options: { abortSignal?: AbortSignal } = {},
): Promise<PutRecordsOutcome<T>> {
  const output = await client.send(
    new PutRecordsCommand({
      StreamName: streamName,
      Records: entries.map((entry) => ({ Data: entry.data, PartitionKey: randomUUID() })),
    }),
    options.abortSignal ? { abortSignal: options.abortSignal } : {},
  );
  const results = output.Records ?? [];
  const succeeded: T[] = [];
  const failed: { entry: T; code: string }[] = [];
  let throttled = 0;
  entries.forEach((entry, i) => {
    const code = results[i]?.ErrorCode ?? (results[i] ? undefined : 'MissingResult');
    if (code === undefined) {
      succeeded.push(entry);
      return;
    }
    if (code === THROTTLED_CODE) throttled += 1;
    failed.push({ entry, code });
  });
  return { succeeded, failed, throttled };
}
