import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { decodeRecord } from '../../core/events/kinesisRecordCodec.ts';
import type { StreamEvent } from '../../core/events/streamEvent.ts';
import type { GroundTruthRecord } from '../../services/twitch-sim/types.ts';

export interface StreamContents {
  readonly records: number;
  readonly bytes: number;
  /** Events in shard order (records in sequence order within each shard). */
  readonly events: StreamEvent[];
  readonly rejects: number;
}

const TRANSIENT = new Set(['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'ETIMEDOUT']);

/** Sends with a few retries on transport errors: callers often pass a maxAttempts: 1 client (fault injection). */
async function send<T>(attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (tries >= 5 || code === undefined || !TRANSIENT.has(code)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * tries));
    }
  }
}

/** Reads every record of every shard from TRIM_HORIZON to the tip and decodes them with the codec. */
export async function readKinesisEvents(client: KinesisClient, streamName: string): Promise<StreamContents> {
  const shards = (await send(() => client.send(new ListShardsCommand({ StreamName: streamName })))).Shards ?? [];
  const events: StreamEvent[] = [];
  let records = 0;
  let bytes = 0;
  let rejects = 0;
  for (const shard of shards) {
    let iterator = (
      await send(() => client.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' })))
    ).ShardIterator;
    while (iterator) {
      const current = iterator;
      const out = await send(() => client.send(new GetRecordsCommand({ ShardIterator: current, Limit: 10_000 })));
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

/**
 * The ground-truth records whose event is not among `events`: matched by event_id, or by the raw
 * line for lines without an `id` tag (their `h:` id also hashes received_at).
 */
export function missingFrom(events: readonly StreamEvent[], truth: readonly GroundTruthRecord[]): GroundTruthRecord[] {
  const ids = new Set(events.map((e) => e.event_id));
  const raws = new Set(events.map((e) => ('raw' in e ? e.raw : '')));
  return truth.filter((r) => (r.eventId !== null ? !ids.has(r.eventId) : !raws.has(r.raw!)));
}
