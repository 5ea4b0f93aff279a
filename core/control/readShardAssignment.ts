import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { shardKey, type ShardAssignment } from './layout.ts';
import { itemToShard, keyToItem } from './shardItemCodec.ts';

/**
 * The channels assigned to one shard, read strongly consistent (for the ingester holding that
 * shard's lease). Null when the shard item does not exist yet; an emptied shard has no channels.
 */
export async function readShardAssignment(client: DynamoDBClient, tableName: string, shardId: number): Promise<ShardAssignment | null> {
  const out = await client.send(new GetItemCommand({ TableName: tableName, Key: keyToItem(shardKey(shardId)), ConsistentRead: true }));
  return out.Item ? itemToShard(out.Item) : null;
}
