import type { BillInputs } from './billInputs.ts';

/** AWS bills a month as 730 hours. */
export const HOURS_PER_MONTH = 730;
export const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;
export const GIB = 1024 ** 3;
/** Kinesis shard limits per second: 1 MB and 1,000 records in, 2 MB out (shared consumers). */
export const SHARD_WRITE_BYTES_PER_S = 1e6;
export const SHARD_RECORDS_PER_S = 1000;
export const SHARD_READ_BYTES_PER_S = 2e6;
/** A provisioned stream's PUT payload unit. */
export const PUT_PAYLOAD_UNIT_BYTES = 25 * 1024;

/** The load the bill sizes for, derived once from the inputs. */
export interface BillLoad {
  readonly shards: number;
  /** Lease slots: shards × replicas, one ingester holding each. */
  readonly slots: number;
  /** Events on the stream: every replica writes its copy. */
  readonly streamEvents: number;
  readonly records: number;
  readonly recordBytes: number;
  /** Compressed bytes written to (and read from) the stream, GiB. */
  readonly streamGib: number;
  /** Raw IRC bytes the ingesters receive, all replicas, GiB. */
  readonly ircGib: number;
  /** Events one replica sees per second at peak. */
  readonly peakEventsPerSecond: number;
  /** Provisioned shards the peak needs. */
  readonly requiredKinesisShards: number;
}

export function billLoad(inputs: BillInputs): BillLoad {
  const shards = Math.ceil(inputs.channels / inputs.channelsPerShard);
  const streamEvents = inputs.eventsPerMonth * inputs.replicas;
  const records = streamEvents / inputs.eventsPerRecord;
  const recordBytes = inputs.kinesisBytesPerEvent * inputs.eventsPerRecord;
  const peakEventsPerSecond = (inputs.eventsPerMonth / SECONDS_PER_MONTH) * inputs.peakFactor;
  const peakWriteBytes = peakEventsPerSecond * inputs.replicas * inputs.kinesisBytesPerEvent;
  const peakRecords = (peakEventsPerSecond * inputs.replicas) / inputs.eventsPerRecord;
  const needed = Math.max(
    peakWriteBytes / SHARD_WRITE_BYTES_PER_S,
    peakRecords / SHARD_RECORDS_PER_S,
    peakWriteBytes / SHARD_READ_BYTES_PER_S,
  );
  return {
    shards,
    slots: shards * inputs.replicas,
    streamEvents,
    records,
    recordBytes,
    streamGib: (streamEvents * inputs.kinesisBytesPerEvent) / GIB,
    ircGib: (streamEvents * inputs.ircBytesPerEvent) / GIB,
    peakEventsPerSecond,
    requiredKinesisShards: Math.max(1, Math.ceil(needed / inputs.kinesisShardUtilization)),
  };
}
