import { PutRecordsCommand, type KinesisClient, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { setTimeout as sleep } from 'node:timers/promises';
import { PoglyticsError } from '../errors.ts';
import { RecordEncoder } from '../events/kinesisRecordCodec.ts';
import type { StreamSnapshot } from '../events/streamSnapshot.ts';
import { backoffDelay } from '../retry.ts';

const MAX_ENTRIES = 500;
const MAX_REQUEST_BYTES = 5 * 1024 * 1024;

export interface PublishSnapshotsOptions {
  readonly attempts?: number;
  readonly encoder?: RecordEncoder;
  readonly backoffBaseMs?: number;
}

export interface PublishSnapshotsResult {
  readonly events: number;
  readonly records: number;
  readonly requests: number;
  readonly retriedEntries: number;
}

export class SnapshotPublishError extends PoglyticsError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { retriable: true, ...options });
    this.name = 'SnapshotPublishError';
  }
}

/**
 * Writes snapshots to Kinesis through the shared record codec (compressed NDJSON records). PutRecords
 * calls stay within 500 entries and 5 MiB; entries a call reports as failed (throttling) are
 * retried with backoff, the rest are not sent twice.
 */
export async function publishSnapshots(
  client: KinesisClient,
  streamName: string,
  snapshots: readonly StreamSnapshot[],
  options: PublishSnapshotsOptions = {},
): Promise<PublishSnapshotsResult> {
  const records = (options.encoder ?? new RecordEncoder()).encode(snapshots);
  const entries: PutRecordsRequestEntry[] = records.map((record, i) => ({
    Data: record.data,
    PartitionKey: `snapshots-${snapshots[0]?.captured_at ?? 0}-${i}`,
  }));
  let requests = 0;
  let retriedEntries = 0;
  for (const batch of batches(entries)) {
    let pending = batch;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= (options.attempts ?? 6))
        throw new SnapshotPublishError(`${pending.length} snapshot records still failing after ${attempt} attempts`);
      if (attempt > 0) {
        retriedEntries += pending.length;
        await sleep(backoffDelay(attempt, { baseMs: options.backoffBaseMs ?? 100, maxMs: 5000 }));
      }
      requests++;
      const out = await client.send(new PutRecordsCommand({ StreamName: streamName, Records: pending }));
      if (!out.FailedRecordCount) break;
      pending = pending.filter((_, i) => out.Records?.[i]?.ErrorCode !== undefined);
    }
  }
  return { events: snapshots.length, records: records.length, requests, retriedEntries };
}

function* batches(entries: readonly PutRecordsRequestEntry[]): Generator<PutRecordsRequestEntry[]> {
  let batch: PutRecordsRequestEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = (entry.Data?.length ?? 0) + Buffer.byteLength(entry.PartitionKey ?? '');
    if (batch.length > 0 && (batch.length >= MAX_ENTRIES || bytes + size > MAX_REQUEST_BYTES)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(entry);
    bytes += size;
  }
  if (batch.length > 0) yield batch;
}
