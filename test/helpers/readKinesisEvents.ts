import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { decodeRecord } from '../../core/events/kinesisRecordCodec.ts';
import type { StreamEvent } from '../../core/events/streamEvent.ts';

export interface StreamContents {
  readonly records: number;
  readonly bytes: number;
  /** Events in shard order (records in sequence order within each shard). */
  readonly events: StreamEvent[];
  readonly rejects: number;
}

/** Reads every record of every shard from TRIM_HORIZON to the tip and decodes them with the codec. */
export async function readKinesisEvents(client: KinesisClient, streamName: string): Promise<StreamContents> {
  const shards = (await client.send(new ListShardsCommand({ StreamName: streamName }))).Shards ?? [];
  const events: StreamEvent[] = [];
  let records = 0;
  let bytes = 0;
  let rejects = 0;
  for (const shard of shards) {
    let iterator = (
      await client.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }))
    ).ShardIterator;
    while (iterator) {
      const out = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      const got = out.Records ?? [];
      for (const record of got) {
        records++;
        bytes += record.Data!.length;
        const decoded = decodeRecord(record.Data!);
        events.push(...decoded.events);
        rejects += decoded.rejects.length;
      }
      if (got.length === 0) break;
      iterator = out.NextShardIterator;
    }
  }
  return { records, bytes, events, rejects };
}
