/**
 * The DynamoDB control table, shared by the channel refresher (writer of assignments) and the
 * ingesters (readers of assignments, holders of leases). One table, string keys `pk` and `sk`.
 *
 * | item            | pk               | sk           | attributes |
 * |-----------------|------------------|--------------|------------|
 * | assignment meta | `meta`           | `assignment` | epoch (number), shardCount, desiredCount, updatedAt (ms), channelCount |
 * | shard           | `shard#<n>`      | `assignment` | shardId (n), epoch, updatedAt, channels: list of ShardChannel maps |
 * | lease           | `lease#<n>`      | `lease`      | shardId, owner (task id), expiresAt (ms), ttl (epoch seconds, DynamoDB TTL), renewedAt |
 *
 * Shards are numbered 0..shardCount-1. A refresh claims the next epoch on the meta item with a
 * conditional write (`epoch = :read`) and then writes each shard item conditioned on
 * `epoch < :mine`, so a slower concurrent refresher can never overwrite a newer assignment.
 * Shard items beyond shardCount are emptied, never deleted mid-lease.
 *
 * Item size: a ShardChannel is about 60 bytes in DynamoDB's accounting, so a shard of 2,000
 * channels is ~120 KB and the 5,000-channel maximum shard capacity ~300 KB: under the 400 KB limit.
 */
export const META_KEY = { pk: 'meta', sk: 'assignment' } as const;
export const shardKey = (shardId: number) => ({ pk: `shard#${shardId}`, sk: 'assignment' }) as const;
export const leaseKey = (shardId: number) => ({ pk: `lease#${shardId}`, sk: 'lease' }) as const;

/** The largest shard capacity the item layout allows (see the size note above). */
export const MAX_SHARD_CAPACITY = 5000;

export interface ShardChannel {
  /** Channel login, lowercase. */
  readonly login: string;
  /** Twitch user id of the channel, or null for a static CHANNELS entry not yet resolved. */
  readonly id: string | null;
  /** Viewer count at the last refresh: the expected-load proxy. */
  readonly viewers: number;
  /** ms since epoch when the channel was last seen live (drives OFFLINE_GRACE_MINUTES). */
  readonly lastLiveAt: number;
}

export interface ShardAssignment {
  readonly shardId: number;
  readonly epoch: number;
  readonly updatedAt: number;
  readonly channels: readonly ShardChannel[];
}

export interface AssignmentMeta {
  readonly epoch: number;
  readonly shardCount: number;
  readonly desiredCount: number;
  readonly updatedAt: number;
  readonly channelCount: number;
}
