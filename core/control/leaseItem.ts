import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { leaseKey } from './layout.ts';
import { keyToItem } from './shardItemCodec.ts';

/** A lease item (core/control/layout.ts) as read back: enough to choose, reap and measure. */
export interface LeaseView {
  readonly shardId: number;
  readonly replica: number;
  /** Absent once released cleanly. */
  readonly owner: string | undefined;
  readonly expiresAt: number;
  readonly renewedAt: number | undefined;
  readonly zone: string | undefined;
  /** When the holder was seen to die (supervisor exit, ECS STOPPED), set by expireLeasesOf. */
  readonly diedAt: number | undefined;
  /** Since when the holder has had every assigned channel joined (unset while it joins any). */
  readonly joinedAt: number | undefined;
}

const optNum = (v: AttributeValue | undefined) => (v?.N === undefined ? undefined : Number(v.N));

export function itemToLease(item: Record<string, AttributeValue>): LeaseView {
  return {
    shardId: Number(item.shardId?.N ?? -1),
    // Items written before replicas existed have no `replica`: they are replica 0 by their key.
    replica: optNum(item.replica) ?? 0,
    owner: item.owner?.S,
    expiresAt: optNum(item.expiresAt) ?? 0,
    renewedAt: optNum(item.renewedAt),
    zone: item.zone?.S,
    diedAt: optNum(item.diedAt),
    joinedAt: optNum(item.joinedAt),
  };
}

/** A lease that some other live task holds now (not ours, not released, not expired or reaped). */
export function isLiveOther(lease: LeaseView, me: string, now: number): boolean {
  return lease.owner !== undefined && lease.owner !== me && lease.expiresAt >= now;
}

/**
 * Whether a sibling of `slot` (same shard, another replica) read what was read at `readAt`: it
 * holds its slot now, alive, and had every channel joined by then. What only the reader of `slot`
 * read and did not send before it died must be sent by whoever finds it (see replayHeldEvents).
 */
export function siblingWitnessed(
  leases: readonly LeaseView[],
  slot: { shardId: number; replica: number },
  readAt: number,
  now: number,
): boolean {
  return leases.some(
    (lease) =>
      lease.shardId === slot.shardId &&
      lease.replica !== slot.replica &&
      lease.owner !== undefined &&
      lease.expiresAt >= now &&
      lease.diedAt === undefined &&
      lease.joinedAt !== undefined &&
      lease.joinedAt <= readAt,
  );
}

/**
 * The previous holder's last sign of life when a claim takes a slot from an owner that did not
 * release it (it died or stopped renewing); undefined for a free, released or own slot.
 */
export function lastSignOfLife(previous: LeaseView | undefined, me: string): { owner: string; at: number } | undefined {
  if (!previous?.owner || previous.owner === me) return undefined;
  const at = previous.diedAt ?? previous.renewedAt;
  return at === undefined ? undefined : { owner: previous.owner, at };
}

/** The item's TTL (seconds): an hour after its expiry, so abandoned slots clean themselves up. */
export const leaseTtl = (expiresAt: number) => Math.ceil(expiresAt / 1000) + 3600;

/** A freshly claimed lease item: key, slot, owner (and its zone), expiry, the claim time and its TTL. */
export function leaseToItem(lease: {
  shardId: number;
  replica: number;
  owner: string;
  zone: string | undefined;
  now: number;
  expiresAt: number;
}): Record<string, AttributeValue> {
  return {
    ...keyToItem(leaseKey(lease.shardId, lease.replica)),
    shardId: { N: String(lease.shardId) },
    replica: { N: String(lease.replica) },
    ...(lease.zone ? { zone: { S: lease.zone } } : {}),
    owner: { S: lease.owner },
    expiresAt: { N: String(lease.expiresAt) },
    renewedAt: { N: String(lease.now) },
    acquiredAt: { N: String(lease.now) },
    ttl: { N: String(leaseTtl(lease.expiresAt)) },
  };
}
