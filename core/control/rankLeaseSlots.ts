import { isLiveOther, type LeaseView } from './leaseItem.ts';

export interface LeaseSlot {
  readonly shardId: number;
  readonly replica: number;
}

export interface RankInput {
  readonly shardIds: readonly number[];
  /** CAPTURE_REPLICAS: slots per shard. */
  readonly replicas: number;
  /** Every lease item found for those shards (missing items are free slots). */
  readonly leases: readonly LeaseView[];
  readonly owner: string;
  /** This task's Availability Zone, when known. */
  readonly zone: string | undefined;
  readonly now: number;
  readonly random?: () => number;
}

/**
 * The slots a standby may claim, best first. Pure, so its guarantees are tested directly:
 * - only free slots: no item, released (no owner), expired or reaped, or already ours;
 * - a slot we already own comes first (a restarted container of the same task takes its slot back);
 * - then slots of shards no live task captures at all (a blind shard is worse than a single copy);
 * - then slots whose live siblings are all in other Availability Zones (or zones unknown);
 * - last, slots with a live sibling in our zone: taken only when nothing else is free;
 * - within a tier the order starts at a random place, so standbys polling together rarely collide.
 */
export function rankLeaseSlots(input: RankInput): LeaseSlot[] {
  const { owner, zone, now } = input;
  const byKey = new Map(input.leases.map((l) => [`${l.shardId}/${l.replica}`, l]));
  const tiers: LeaseSlot[][] = [[], [], [], []];
  for (const shardId of input.shardIds) {
    const live = [];
    for (let replica = 0; replica < input.replicas; replica++) {
      const lease = byKey.get(`${shardId}/${replica}`);
      if (lease && isLiveOther(lease, owner, now)) live.push(lease);
    }
    for (let replica = 0; replica < input.replicas; replica++) {
      const lease = byKey.get(`${shardId}/${replica}`);
      if (lease && isLiveOther(lease, owner, now)) continue;
      const slot = { shardId, replica };
      if (lease?.owner === owner) tiers[0]!.push(slot);
      else if (live.length === 0) tiers[1]!.push(slot);
      else if (zone === undefined || !live.some((l) => l.zone === zone)) tiers[2]!.push(slot);
      else tiers[3]!.push(slot);
    }
  }
  const random = input.random ?? Math.random;
  return tiers.flatMap((tier) => {
    const offset = Math.floor(random() * tier.length);
    return [...tier.slice(offset), ...tier.slice(0, offset)];
  });
}
