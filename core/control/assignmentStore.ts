import { BatchGetItemCommand, PutItemCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConflictError } from '../errors.ts';
import { AssignmentSupersededError } from './errors.ts';
import { backoffDelay } from '../retry.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { META_KEY, shardKey, type ShardChannel } from './layout.ts';
import { readAssignmentMeta } from './readAssignmentMeta.ts';
import { itemToShard, keyToItem, shardToItem, type StoredMeta } from './shardItemCodec.ts';

export interface StoredAssignment {
  /** Null before the first refresh. */
  readonly meta: StoredMeta | null;
  /** Channels per shard for shards 0..meta.shardCount-1 (the rebalance input). */
  readonly shards: ShardChannel[][];
}

export interface AssignmentWrite {
  readonly assignment: readonly (readonly ShardChannel[])[];
  readonly desiredCount: number;
  readonly now: number;
}

const BATCH_GET_KEYS = 100;
const WRITE_CONCURRENCY = 8;

const isConditionFailure = (error: unknown) => (error as { name?: string })?.name === 'ConditionalCheckFailedException';

/**
 * Shard assignments in the control table (layout.ts), written with conditional writes only:
 * 1. `claim`: the meta item moves from the epoch we read to epoch+1 (condition `epoch = :read`),
 *    carrying the new shard count, so a concurrent refresher that read the same epoch fails here
 *    and starts over from a fresh read;
 * 2. every shard slot is put with `epoch < :mine`, so a slower refresher can never overwrite a
 *    newer assignment: it stops at its first failed put (ConflictError) and the newer one wins.
 * The claim must precede every put: an ingester's AssignmentWatch reads a shard item only once
 * the meta epoch passed the shard epoch it last read, so a put at an epoch not yet claimed would go
 * unseen until the next refresh. Slots beyond the shard count are written empty, never deleted
 * (a delete, claiming no epoch, would go unseen too). `shardSlots` on the meta item
 * (additive to layout.ts) remembers how many slots were ever written, so a later refresh empties
 * them even after a crash.
 */
export class AssignmentStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async read(): Promise<StoredAssignment> {
    const meta = await readAssignmentMeta(this.client, this.tableName);
    const shards: ShardChannel[][] = Array.from({ length: meta?.shardCount ?? 0 }, () => []);
    const items = await this.batchGet(shards.map((_, shardId) => keyToItem(shardKey(shardId))));
    for (const item of items) {
      const shard = itemToShard(item);
      if (shard.shardId < shards.length) shards[shard.shardId] = [...shard.channels];
    }
    return { meta, shards };
  }

  /**
   * Claims epoch+1 of what `read` saw, then writes every shard. Throws ConflictError when another
   * refresh claimed first (read again and retry), AssignmentSupersededError when a newer refresh
   * overtook this one mid-write (stop: the newer assignment stands).
   */
  async write(read: StoredAssignment, next: AssignmentWrite): Promise<{ epoch: number }> {
    const readEpoch = read.meta?.epoch ?? 0;
    const epoch = readEpoch + 1;
    const shardCount = next.assignment.length;
    const shardSlots = Math.max(read.meta?.shardSlots ?? 0, shardCount);
    const channelCount = next.assignment.reduce((sum, shard) => sum + shard.length, 0);
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: keyToItem(META_KEY),
          UpdateExpression:
            'SET epoch = :epoch, shardCount = :shardCount, desiredCount = :desiredCount, updatedAt = :now, channelCount = :channelCount, shardSlots = :shardSlots',
          ConditionExpression: read.meta ? 'epoch = :readEpoch' : 'attribute_not_exists(epoch)',
          ExpressionAttributeValues: {
            ':epoch': num(epoch),
            ':shardCount': num(shardCount),
            ':desiredCount': num(next.desiredCount),
            ':now': num(next.now),
            ':channelCount': num(channelCount),
            ':shardSlots': num(shardSlots),
            ...(read.meta ? { ':readEpoch': num(readEpoch) } : {}),
          },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error))
        throw new ConflictError(`assignment epoch ${readEpoch} was claimed by another refresh`, { cause: error });
      throw error;
    }
    const slots = Array.from({ length: shardSlots }, (_, shardId) => shardId);
    await forEachLimited(slots, WRITE_CONCURRENCY, async (shardId) => {
      try {
        await this.client.send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: shardToItem({ shardId, epoch, updatedAt: next.now, channels: next.assignment[shardId] ?? [] }),
            ConditionExpression: 'attribute_not_exists(epoch) OR epoch < :epoch',
            ExpressionAttributeValues: { ':epoch': num(epoch) },
          }),
        );
      } catch (error) {
        if (isConditionFailure(error))
          throw new AssignmentSupersededError(`shard ${shardId} already holds a newer assignment than epoch ${epoch}`, { cause: error });
        throw error;
      }
    });
    return { epoch };
  }

  private async batchGet(keys: Record<string, AttributeValue>[]): Promise<Record<string, AttributeValue>[]> {
    const items: Record<string, AttributeValue>[] = [];
    for (let i = 0; i < keys.length; i += BATCH_GET_KEYS) {
      let pending: Record<string, AttributeValue>[] = keys.slice(i, i + BATCH_GET_KEYS);
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 0) await sleep(backoffDelay(attempt, { baseMs: 50, maxMs: 2000 }));
        if (attempt > 20) throw new Error(`BatchGetItem left ${pending.length} keys unprocessed`);
        const out = await this.client.send(
          new BatchGetItemCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }),
        );
        items.push(...(out.Responses?.[this.tableName] ?? []));
        pending = out.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      }
    }
    return items;
  }
}

const num = (value: number): AttributeValue => ({ N: String(value) });

async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (next < items.length && failure === undefined) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== undefined)
    throw failure instanceof Error ? failure : new Error('a parallel step failed with a non-Error value', { cause: failure });
}
