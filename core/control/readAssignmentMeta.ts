import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { itemToMeta, metaKeyItem, type StoredMeta } from './shardItemCodec.ts';

/** The assignment meta item (strongly consistent), or null before the first refresh wrote one. */
export async function readAssignmentMeta(client: DynamoDBClient, tableName: string): Promise<StoredMeta | null> {
  const out = await client.send(new GetItemCommand({ TableName: tableName, Key: metaKeyItem(), ConsistentRead: true }));
  return out.Item ? itemToMeta(out.Item) : null;
}
