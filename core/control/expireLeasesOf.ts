import { ConditionalCheckFailedException, QueryCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { leaseKey, leasePk } from './layout.ts';
import { itemToLease, type LeaseView } from './leaseItem.ts';
import { readAssignmentMeta } from './readAssignmentMeta.ts';
import { keyToItem } from './shardItemCodec.ts';

export interface ExpireLeasesInput {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** The dead task's id, exactly as it wrote it as the lease owner (a task ARN on ECS). */
  readonly owner: string;
  /** When the task was seen to die (ms); the next holder measures its capture gap from here. */
  readonly diedAt: number;
  /** Also look at shards up to this count (a pinned SHARD_ID beyond the assignment); default none. */
  readonly minShardSlots?: number;
}

/**
 * Expires at once every lease the dead `owner` holds, so that a standby or replacement claims its
 * slots within seconds instead of waiting out the lease. Touches only items whose owner is still
 * `owner` (a conditional update): a slot someone else took in the meantime is left alone. The
 * owner stays on the item (with `diedAt`) so the next claimer can tell a death from a clean
 * release. Reads: the meta item and one Query per shard (all replicas of a shard share a
 * partition); writes: one per slot the dead task held (SLOTS_PER_TASK at most). Only
 * GetItem, Query and UpdateItem: what the reaper's role is granted.
 */
export async function expireLeasesOf(input: ExpireLeasesInput): Promise<LeaseView[]> {
  const { client, tableName, owner } = input;
  const meta = await readAssignmentMeta(client, tableName);
  const shardSlots = Math.max(meta?.shardSlots ?? 0, input.minShardSlots ?? 0);
  const expired: LeaseView[] = [];
  for (let shardId = 0; shardId < shardSlots; shardId++) {
    const out = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        FilterExpression: '#owner = :dead',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':pk': { S: leasePk(shardId) }, ':dead': { S: owner } },
        ConsistentRead: true,
      }),
    );
    for (const item of out.Items ?? []) {
      const lease = itemToLease(item);
      try {
        await client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: keyToItem(leaseKey(lease.shardId, lease.replica)),
            UpdateExpression: 'SET #expiresAt = :zero, diedAt = :diedAt',
            ConditionExpression: '#owner = :dead',
            ExpressionAttributeNames: { '#owner': 'owner', '#expiresAt': 'expiresAt' },
            ExpressionAttributeValues: { ':zero': { N: '0' }, ':diedAt': { N: String(input.diedAt) }, ':dead': { S: owner } },
          }),
        );
        expired.push(lease);
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
  }
  return expired;
}
