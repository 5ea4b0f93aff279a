/**
 * The DynamoDB control table, shared by the channel refresher (writer of assignments) and the
 * ingesters (readers of assignments, holders of leases). One table, string keys `pk` and `sk`.
 *
 * | item            | pk               | sk           | attributes |
 * |-----------------|------------------|--------------|------------|
 * | assignment meta | `meta`           | `assignment` | epoch (number), shardCount, desiredCount, updatedAt (ms), channelCount |
 * | shard           | `shard#<n>`      | `assignment` | shardId (n), epoch, updatedAt, channels: list of ShardChannel maps |
 * | lease, replica 0| `lease#<n>`      | `lease`      | shardId, replica, owner (task id), expiresAt (ms), ttl (epoch seconds, DynamoDB TTL), renewedAt, acquiredAt, zone?, diedAt? |
 * | lease, replica k| `lease#<n>`      | `lease#r<k>` | the same, for the k-th copy of the shard (CAPTURE_REPLICAS > 1) |
 * | snapshot state  | `snapshots#<b>`  | `published`  | bucket (b), version, updatedAt, entries: text, one line per channel (snapshotStateStore.ts) |
 * | opt-outs        | `admin`          | `optouts`    | doc (JSON: users and channels by id, chat codes), version, updatedAt (core/optout/) |
 * | channel admin   | `admin`          | `channels`   | doc (JSON: added, excluded, removed logins with times), version, updatedAt (documentStores.ts) |
 * | opt-out audit   | `admin`          | `optout-audit#<ISO time>#<subject>#<key>#<sink>` | record (JSON: who, when, how many deleted; core/optout/optOutAudit.ts) |
 *
 * Shards are numbered 0..shardCount-1. A refresh claims the next epoch on the meta item with a
 * conditional write (`epoch = :read`) and then writes each shard item conditioned on
 * `epoch < :mine`, so a slower concurrent refresher can never overwrite a newer assignment.
 * Shard items beyond shardCount are emptied, never deleted mid-lease. So the meta epoch is never
 * below any shard item's, and an ingester watching its shard polls the ~100 B meta item (1 read
 * unit) and reads its ~120 KB shard item (30 units) only when the meta epoch passed the shard
 * epoch it last read (assignmentWatch.ts).
 *
 * Leases: one item per (shard, replica) slot, all replicas of a shard in one partition, so one
 * strongly consistent Query on `lease#<n>` reads every copy (the reaper, the zone preference).
 * Replica 0 keeps the key of the single-replica layout. A task holds one slot at a time, so two
 * replicas of a shard are never on the same task. `zone` is the holder's Availability Zone (AWS);
 * `diedAt` is set when the holder was seen to die (local supervisor, ECS stop events) and its
 * lease expired at once (expiresAt 0, owner kept) so that the next claimer can measure the gap.
 *
 * Snapshot state: what the refresher last published per live channel (selectSnapshots.ts), in
 * SNAPSHOT_STATE_BUCKETS items by a hash of channel_id. A channel's line is ~30 bytes, so 100,000
 * channels are ~47 KB per bucket (the limit, 400 KB, is reached near 850,000 channels). Only
 * channels published within the heartbeat are kept. A refresh reads 64 items in one BatchGetItem
 * and rewrites the buckets that changed: at 100,000 channels ~3 MB, ~3,000 write units a refresh.
 *
 * Item size: a ShardChannel is about 60 bytes in DynamoDB's accounting, so a shard of 2,000
 * channels is ~120 KB and the 5,000-channel maximum shard capacity ~300 KB: under the 400 KB limit.
 */
export const META_KEY = { pk: 'meta', sk: 'assignment' } as const;
export const CHANNEL_OVERRIDES_KEY = { pk: 'admin', sk: 'channels' } as const;
export const OPT_OUTS_KEY = { pk: 'admin', sk: 'optouts' } as const;
export const OPT_OUT_AUDIT_PK = 'admin';
export const optOutAuditKey = (at: number, subject: string, key: string, sink: string) =>
  ({ pk: OPT_OUT_AUDIT_PK, sk: `optout-audit#${new Date(at).toISOString()}#${subject}#${key}#${sink}` }) as const;
export const shardKey = (shardId: number) => ({ pk: `shard#${shardId}`, sk: 'assignment' }) as const;
export const leasePk = (shardId: number) => `lease#${shardId}`;
export const leaseKey = (shardId: number, replica = 0) =>
  ({ pk: leasePk(shardId), sk: replica === 0 ? 'lease' : `lease#r${replica}` }) as const;

export const SNAPSHOT_STATE_BUCKETS = 64;
export const snapshotStateKey = (bucket: number) => ({ pk: `snapshots#${bucket}`, sk: 'published' }) as const;

/** The bucket of a channel_id: FNV-1a, stable across releases (changing it forgets the state once). */
export function snapshotStateBucket(channelId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < channelId.length; i++) hash = Math.imul(hash ^ channelId.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % SNAPSHOT_STATE_BUCKETS;
}

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
