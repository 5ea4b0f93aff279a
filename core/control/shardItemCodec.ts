import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { META_KEY, shardKey, type AssignmentMeta, type ShardAssignment, type ShardChannel } from './layout.ts';

/**
 * DynamoDB attribute values for the control-table items in layout.ts, written by hand (no
 * util-dynamodb in this project). Reads are validated with zod: an item another version wrote
 * badly is an error, not a silently empty shard.
 */
type Item = Record<string, AttributeValue>;

const N = z.object({ N: z.string() }).transform((v) => Number(v.N));
const S = z.object({ S: z.string() }).transform((v) => v.S);
const NullableS = z.union([S, z.object({ NULL: z.literal(true) }).transform(() => null)]);

const ShardChannelAttr = z
  .object({ M: z.object({ login: S, id: NullableS.optional(), viewers: N, lastLiveAt: N }) })
  .transform(({ M }): ShardChannel => ({ login: M.login, id: M.id ?? null, viewers: M.viewers, lastLiveAt: M.lastLiveAt }));

const ShardItemSchema = z.object({
  shardId: N,
  epoch: N,
  updatedAt: N,
  channels: z.object({ L: z.array(ShardChannelAttr) }).transform((v) => v.L),
});

const MetaItemSchema = z.object({
  epoch: N,
  shardCount: N.optional(),
  desiredCount: N.optional(),
  updatedAt: N.optional(),
  channelCount: N.optional(),
  shardSlots: N.optional(),
});

/** AssignmentMeta plus `shardSlots`: how many shard items may exist (an additive layout field). */
export interface StoredMeta extends AssignmentMeta {
  readonly shardSlots: number;
}

export function channelToAttr(channel: ShardChannel): AttributeValue {
  return {
    M: {
      login: { S: channel.login },
      id: channel.id === null ? { NULL: true } : { S: channel.id },
      viewers: { N: String(channel.viewers) },
      lastLiveAt: { N: String(channel.lastLiveAt) },
    },
  };
}

export function shardToItem(shard: ShardAssignment): Item {
  return {
    ...keyToItem(shardKey(shard.shardId)),
    shardId: { N: String(shard.shardId) },
    epoch: { N: String(shard.epoch) },
    updatedAt: { N: String(shard.updatedAt) },
    channels: { L: shard.channels.map(channelToAttr) },
  };
}

export function itemToShard(item: Item): ShardAssignment {
  return ShardItemSchema.parse(item);
}

export function itemToMeta(item: Item): StoredMeta {
  const meta = MetaItemSchema.parse(item);
  const shardCount = meta.shardCount ?? 0;
  return {
    epoch: meta.epoch,
    shardCount,
    desiredCount: meta.desiredCount ?? 0,
    updatedAt: meta.updatedAt ?? 0,
    channelCount: meta.channelCount ?? 0,
    shardSlots: Math.max(meta.shardSlots ?? 0, shardCount),
  };
}

export function keyToItem(key: { readonly pk: string; readonly sk: string }): Item {
  return { pk: { S: key.pk }, sk: { S: key.sk } };
}

export const metaKeyItem = (): Item => keyToItem(META_KEY);
