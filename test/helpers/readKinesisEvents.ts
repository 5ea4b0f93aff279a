import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { decodeRecord } from '../../core/events/kinesisRecordCodec.ts';
import { BROTLI_RECORD_MAGIC } from '../../core/events/recordCompression.ts';
import type { StreamEvent } from '../../core/events/streamEvent.ts';
import type { GroundTruthRecord } from '../../services/twitch-sim/types.ts';

export interface StreamContents {
  readonly records: number;
  readonly bytes: number;
  /** Events in shard order (records in sequence order within each shard). */
  readonly events: StreamEvent[];
  readonly rejects: number;
  /** Records by compression, told by their first bytes. */
  readonly formats: { brotli: number; gzip: number; other: number };
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
  const formats = { brotli: 0, gzip: 0, other: 0 };
  for (const shard of shards) {
    let iterator = (
      await send(() =>
        client.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' })),
      )
    ).ShardIterator;
    while (iterator) {
      const current = iterator;
      const out = await send(() => client.send(new GetRecordsCommand({ ShardIterator: current, Limit: 10_000 })));
      const got = out.Records ?? [];
      for (const record of got) {
        records++;
        bytes += record.Data!.length;
        formats[formatOf(record.Data!)]++;
        const decoded = decodeRecord(record.Data!);
        events.push(...decoded.events);
        rejects += decoded.rejects.length;
      }
      if (got.length === 0) break;
      iterator = out.NextShardIterator;
    }
  }
  return { records, bytes, events, rejects, formats };
}

function formatOf(data: Uint8Array): 'brotli' | 'gzip' | 'other' {
  if (Buffer.from(data.subarray(0, 4)).equals(BROTLI_RECORD_MAGIC)) return 'brotli';
  return data[0] === 0x1f && data[1] === 0x8b ? 'gzip' : 'other';
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
