import { BatchGetItemCommand, PutItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay } from '../retry.ts';
import { SNAPSHOT_STATE_BUCKETS, snapshotStateBucket, snapshotStateKey } from './layout.ts';
import type { PublishedSnapshot, PublishedSnapshots } from './selectSnapshots.ts';
import { keyToItem } from './shardItemCodec.ts';

/** The state as read: every bucket's entries and the version its next write is conditioned on. */
export interface LoadedSnapshotState {
  readonly entries: PublishedSnapshots;
  /** Per bucket: the stored version (0 when the item does not exist yet) and its entries text. */
  readonly buckets: readonly { readonly version: number; readonly text: string }[];
}

export interface SavedSnapshotState {
  readonly written: number;
  /** Buckets another refresher wrote since we read them: theirs stands (at worst a snapshot is published twice). */
  readonly conflicts: number;
  readonly bytes: number;
}

const isConditionFailure = (error: unknown) => (error as { name?: string })?.name === 'ConditionalCheckFailedException';

/**
 * The last published snapshot per channel, kept in the control table so that a new refresher
 * instance (a Lambda cold start) decides as the last one would: SNAPSHOT_STATE_BUCKETS items
 * (layout.ts), each a text of one line per channel, `<channel_id> <viewers> <fingerprint>
 * <publishedAt base 36>` (~30 bytes). A refresh reads all buckets in one BatchGetItem and rewrites
 * only the buckets whose text changed, each conditioned on the version it read, so a slower
 * concurrent refresher never overwrites newer state.
 */
export class SnapshotStateStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async load(): Promise<LoadedSnapshotState> {
    const buckets = Array.from({ length: SNAPSHOT_STATE_BUCKETS }, () => ({ version: 0, text: '' }));
    let pending: Record<string, AttributeValue>[] = buckets.map((_, b) => keyToItem(snapshotStateKey(b)));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 20) throw new Error(`BatchGetItem left ${pending.length} snapshot state keys unprocessed`);
      if (attempt > 0) await sleep(backoffDelay(attempt, { baseMs: 50, maxMs: 2000 }));
      const out = await this.client.send(
        new BatchGetItemCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }),
      );
      for (const item of out.Responses?.[this.tableName] ?? []) {
        const bucket = Number(item.bucket?.N);
        if (bucket >= 0 && bucket < buckets.length)
          buckets[bucket] = { version: Number(item.version?.N ?? 0), text: item.entries?.S ?? '' };
      }
      pending = out.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
    }
    const entries = new Map<string, PublishedSnapshot>();
    for (const { text } of buckets) {
      for (const line of text.split('\n')) {
        const [channelId, viewers, fingerprint, publishedAt] = line.split(' ');
        if (channelId && viewers && fingerprint && publishedAt)
          entries.set(channelId, { viewers: Number(viewers), fingerprint, publishedAt: parseInt(publishedAt, 36) });
      }
    }
    return { entries, buckets };
  }

  async save(loaded: LoadedSnapshotState, state: PublishedSnapshots, now: number): Promise<SavedSnapshotState> {
    const lines: string[][] = Array.from({ length: SNAPSHOT_STATE_BUCKETS }, () => []);
    for (const [channelId, s] of state) {
      // Twitch ids are digits; an id that would break the line format is not remembered (published every refresh).
      if (/\s/.test(channelId)) continue;
      lines[snapshotStateBucket(channelId)]!.push(`${channelId} ${s.viewers} ${s.fingerprint} ${s.publishedAt.toString(36)}`);
    }
    let written = 0;
    let conflicts = 0;
    let bytes = 0;
    await Promise.all(
      lines.map(async (bucketLines, bucket) => {
        const text = bucketLines.sort().join('\n');
        const before = loaded.buckets[bucket]!;
        if (text === before.text) return;
        try {
          await this.client.send(
            new PutItemCommand({
              TableName: this.tableName,
              Item: {
                ...keyToItem(snapshotStateKey(bucket)),
                bucket: { N: String(bucket) },
                version: { N: String(before.version + 1) },
                updatedAt: { N: String(now) },
                entries: { S: text },
              },
              ConditionExpression: before.version === 0 ? 'attribute_not_exists(pk)' : 'version = :read',
              ...(before.version === 0 ? {} : { ExpressionAttributeValues: { ':read': { N: String(before.version) } } }),
            }),
          );
          written++;
          bytes += text.length;
        } catch (error) {
          if (!isConditionFailure(error)) throw error;
          conflicts++;
        }
      }),
    );
    return { written, conflicts, bytes };
  }
}
