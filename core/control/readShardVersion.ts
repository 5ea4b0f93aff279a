import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { shardKey } from './layout.ts';
import { keyToItem } from './shardItemCodec.ts';

/** A shard item's version: every write of its channel list writes a new epoch and updatedAt with it. */
export interface ShardVersion {
  readonly epoch: number;
  readonly updatedAt: number;
}

/**
 * Only the epoch and updatedAt of one shard item (strongly consistent), or null when the item
 * does not exist: the channel list and its version are written together in one PutItem. Spares
 * parsing thousands of channels but not their price: DynamoDB bills a projection as the whole
 * item (~120 KB: 30 read units). AssignmentWatch uses it only when there is no meta item.
 */
export async function readShardVersion(client: DynamoDBClient, tableName: string, shardId: number): Promise<ShardVersion | null> {
  const out = await client.send(
    new GetItemCommand({
      TableName: tableName,
      Key: keyToItem(shardKey(shardId)),
      ConsistentRead: true,
      ProjectionExpression: '#epoch, #updatedAt',
      ExpressionAttributeNames: { '#epoch': 'epoch', '#updatedAt': 'updatedAt' },
    }),
  );
  if (!out.Item) return null;
  return { epoch: Number(out.Item.epoch?.N ?? Number.NaN), updatedAt: Number(out.Item.updatedAt?.N ?? Number.NaN) };
}
