import {
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { leaseKey } from './layout.ts';
import { itemToLease, leaseToItem, leaseTtl, type LeaseView } from './leaseItem.ts';
import { keyToItem } from './shardItemCodec.ts';

/**
 * Lease storage as plain functions over the item codec (core/control/leaseItem.ts): every write
 * is conditional, so two tasks can never both believe they hold one (shard, replica) slot.
 */
export interface LeaseTable {
  readonly client: DynamoDBClient;
  readonly tableName: string;
}

export interface LeaseSlot {
  readonly shardId: number;
  readonly replica: number;
}

const str = (s: string): AttributeValue => ({ S: s });
const num = (n: number): AttributeValue => ({ N: String(n) });

/**
 * Claims the slot when it has no owner, has expired (or was reaped: expiresAt 0) or is already
 * ours. Resolves with the item it replaced (to tell a takeover from a free slot), or null when
 * another task holds it.
 */
export async function claimLease(
  table: LeaseTable,
  slot: LeaseSlot,
  claim: { readonly owner: string; readonly zone: string | undefined; readonly now: number; readonly expiresAt: number },
): Promise<{ previous: LeaseView | undefined } | null> {
  try {
    const out = await table.client.send(
      new PutItemCommand({
        TableName: table.tableName,
        Item: leaseToItem({ ...slot, ...claim }),
        ConditionExpression: 'attribute_not_exists(#owner) OR #expiresAt < :now OR #owner = :me',
        ExpressionAttributeNames: { '#owner': 'owner', '#expiresAt': 'expiresAt' },
        ExpressionAttributeValues: { ':now': num(claim.now), ':me': str(claim.owner) },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return { previous: out.Attributes ? itemToLease(out.Attributes) : undefined };
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return null;
    throw error;
  }
}

/** Extends the lease while it is still ours and not reaped: 'renewed', or 'taken' when it is not ours any more. */
export async function renewLease(
  table: LeaseTable,
  slot: LeaseSlot,
  owner: string,
  now: number,
  expiresAt: number,
): Promise<'renewed' | 'taken'> {
  try {
    await table.client.send(
      new UpdateItemCommand({
        TableName: table.tableName,
        Key: keyToItem(leaseKey(slot.shardId, slot.replica)),
        UpdateExpression: 'SET #expiresAt = :exp, renewedAt = :now, #ttl = :ttl',
        // A reaped lease (expiresAt 0) is not ours any more even if the owner still reads us.
        ConditionExpression: '#owner = :me AND #expiresAt > :zero',
        ExpressionAttributeNames: { '#owner': 'owner', '#expiresAt': 'expiresAt', '#ttl': 'ttl' },
        ExpressionAttributeValues: {
          ':exp': num(expiresAt),
          ':now': num(now),
          ':ttl': num(leaseTtl(expiresAt)),
          ':me': str(owner),
          ':zero': num(0),
        },
      }),
    );
    return 'renewed';
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return 'taken';
    throw error;
  }
}

/**
 * Records on our lease since when every assigned channel is joined (`at`), or that some are being
 * joined (null): siblings read it to tell what only we could have read. False when not ours.
 */
export async function markJoined(table: LeaseTable, slot: LeaseSlot, owner: string, at: number | null): Promise<boolean> {
  try {
    await table.client.send(
      new UpdateItemCommand({
        TableName: table.tableName,
        Key: keyToItem(leaseKey(slot.shardId, slot.replica)),
        UpdateExpression: at === null ? 'REMOVE joinedAt' : 'SET joinedAt = :at',
        ConditionExpression: '#owner = :me',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':me': str(owner), ...(at === null ? {} : { ':at': num(at) }) },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/** Gives the slot up if it is still ours (a slot someone else took over is left alone): true when released. */
export async function releaseLease(table: LeaseTable, slot: LeaseSlot, owner: string, now: number): Promise<boolean> {
  try {
    await table.client.send(
      new UpdateItemCommand({
        TableName: table.tableName,
        Key: keyToItem(leaseKey(slot.shardId, slot.replica)),
        UpdateExpression: 'REMOVE #owner SET #expiresAt = :zero, releasedAt = :now',
        ConditionExpression: '#owner = :me',
        ExpressionAttributeNames: { '#owner': 'owner', '#expiresAt': 'expiresAt' },
        ExpressionAttributeValues: { ':zero': num(0), ':now': num(now), ':me': str(owner) },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/**
 * The lease items of every replica of these shards (absent slots are simply missing), strongly
 * consistent unless `consistent` is false (half the read units: 0.5 per item instead of 1).
 */
export async function readLeases(
  table: LeaseTable,
  shardIds: readonly number[],
  replicas: number,
  { consistent = true }: { readonly consistent?: boolean } = {},
): Promise<LeaseView[]> {
  const keys = shardIds.flatMap((id) => Array.from({ length: replicas }, (_, r) => keyToItem(leaseKey(id, r))));
  const leases: LeaseView[] = [];
  // BatchGetItem takes 100 keys a call and may hand some back unprocessed.
  for (let i = 0; i < keys.length; i += 100) {
    let request: Record<string, { Keys: Record<string, AttributeValue>[]; ConsistentRead: boolean }> | undefined = {
      [table.tableName]: { Keys: keys.slice(i, i + 100), ConsistentRead: consistent },
    };
    while (request && Object.keys(request).length > 0) {
      const out = await table.client.send(new BatchGetItemCommand({ RequestItems: request }));
      for (const item of out.Responses?.[table.tableName] ?? []) leases.push(itemToLease(item));
      request = out.UnprocessedKeys as typeof request;
    }
  }
  return leases;
}
