import type { ShardChannel } from './layout.ts';

/** A channel that is live now (or listed statically), with its viewer count as the load proxy. */
export interface LiveChannel {
  readonly login: string;
  readonly id: string | null;
  readonly viewers: number;
}

export interface RebalanceSettings {
  /** Most channels one shard may hold (SHARD_CAPACITY). */
  readonly shardCapacity: number;
  /** How long a channel that went offline stays assigned (OFFLINE_GRACE_MINUTES, in ms). */
  readonly offlineGraceMs: number;
  /** Fill target when growing: shards = ceil(channels / (capacity * headroom)). Default 0.9. */
  readonly headroom?: number;
  /** Never fewer shards than this while any channel is assigned. Default 1. */
  readonly minShards?: number;
  /** Logins that must never be assigned (EXCLUDED_CHANNELS). */
  readonly excluded?: ReadonlySet<string>;
}

export interface Move {
  readonly login: string;
  readonly from: number;
  readonly to: number;
}

export interface RebalanceResult {
  /** Channels per shard, index = shard id, each list sorted by login. */
  readonly assignment: ShardChannel[][];
  readonly shardCount: number;
  readonly channelCount: number;
  /** Channels that changed shard. */
  readonly moves: Move[];
  /** Channels assigned now that were in no shard before. */
  readonly added: string[];
  /** Channels that were assigned and no longer are (grace expired, or excluded). */
  readonly removed: string[];
  /** Extra copies of a channel found in more than one shard (a concurrent refresh); the lowest shard's copy is kept. */
  readonly duplicatesDropped: string[];
  /** Viewer load per shard. */
  readonly loads: number[];
  /** The balance guarantee: every shard's load is at most mean load + the largest channel's viewers. */
  readonly balanceBound: number;
}

/** Shrinking waits until the channels fit at this fraction of the growth fill target (hysteresis). */
const SHRINK_FILL = 0.8;

interface Entry {
  channel: ShardChannel;
  /** Shard before this rebalance, -1 for a new channel. */
  readonly home: number;
  shard: number;
}

const byViewersDescLogin = (a: Entry, b: Entry) =>
  b.channel.viewers - a.channel.viewers || (a.channel.login < b.channel.login ? -1 : a.channel.login > b.channel.login ? 1 : 0);

/** Shards needed for `channels`, given the shard count now (grows eagerly, shrinks with hysteresis). */
export function shardCountFor(channels: number, currentShards: number, settings: RebalanceSettings): number {
  const minShards = settings.minShards ?? 1;
  const perShard = settings.shardCapacity * (settings.headroom ?? 0.9);
  const need = Math.max(minShards, Math.ceil(channels / perShard), Math.ceil(channels / settings.shardCapacity));
  const shrinkTo = Math.max(minShards, Math.ceil(channels / (perShard * SHRINK_FILL)));
  return Math.max(need, Math.min(currentShards, shrinkTo));
}

/**
 * Decides which shard captures which channel. Pure and deterministic (ties broken by login, then
 * shard id). Guarantees, for every input:
 * - every live channel and every offline channel still within its grace period is in exactly one
 *   shard, excluded channels in none;
 * - no shard holds more than shardCapacity channels;
 * - every shard's viewer load is at most mean + max single-channel viewers (list scheduling's bound);
 * - sticky: a channel keeps its shard unless that shard is being removed, is over capacity, or is
 *   over the balance bound; new channels go to the least-loaded shard with room. One exception
 *   keeps the bound: when the lightest shard is full, balancing swaps its smallest channel out.
 */
export function rebalance(
  current: readonly (readonly ShardChannel[])[],
  live: readonly LiveChannel[],
  settings: RebalanceSettings,
  now: number,
): RebalanceResult {
  const capacity = settings.shardCapacity;
  if (!(capacity >= 1)) throw new RangeError(`shardCapacity must be at least 1, got ${capacity}`);
  const excluded = settings.excluded ?? new Set<string>();

  const liveByLogin = new Map<string, LiveChannel>();
  for (const channel of live) {
    if (!excluded.has(channel.login) && !liveByLogin.has(channel.login)) liveByLogin.set(channel.login, channel);
  }

  const entries: Entry[] = [];
  const seen = new Set<string>();
  const removed: string[] = [];
  const duplicatesDropped: string[] = [];
  for (let shardId = 0; shardId < current.length; shardId++) {
    for (const previous of current[shardId]!) {
      if (seen.has(previous.login)) {
        duplicatesDropped.push(previous.login);
        continue;
      }
      seen.add(previous.login);
      const now_ = liveByLogin.get(previous.login);
      let channel: ShardChannel;
      if (now_) channel = { login: now_.login, id: now_.id ?? previous.id, viewers: now_.viewers, lastLiveAt: now };
      else if (!excluded.has(previous.login) && now - previous.lastLiveAt <= settings.offlineGraceMs) channel = previous;
      else {
        removed.push(previous.login);
        continue;
      }
      entries.push({ channel, home: shardId, shard: -1 });
    }
  }
  for (const channel of liveByLogin.values()) {
    if (seen.has(channel.login)) continue;
    entries.push({ channel: { login: channel.login, id: channel.id, viewers: channel.viewers, lastLiveAt: now }, home: -1, shard: -1 });
  }

  const shardCount = entries.length === 0 && (settings.minShards ?? 1) === 0 ? 0 : shardCountFor(entries.length, current.length, settings);
  const shards: Entry[][] = Array.from({ length: shardCount }, () => []);
  const loads: number[] = new Array<number>(shardCount).fill(0);
  const pool: Entry[] = [];
  let vmax = 0;
  let total = 0;
  for (const entry of entries) {
    vmax = Math.max(vmax, entry.channel.viewers);
    total += entry.channel.viewers;
    if (entry.home >= 0 && entry.home < shardCount) {
      entry.shard = entry.home;
      shards[entry.home]!.push(entry);
      loads[entry.home]! += entry.channel.viewers;
    } else pool.push(entry);
  }

  // Capacity: an over-full shard keeps its biggest channels and gives up the smallest.
  for (let s = 0; s < shardCount; s++) {
    const shard = shards[s]!;
    if (shard.length <= capacity) continue;
    shard.sort(byViewersDescLogin);
    for (const entry of shard.splice(capacity)) {
      loads[s]! -= entry.channel.viewers;
      pool.push(entry);
    }
  }

  // Placement: biggest first, each to the least-loaded shard with room, the emptier one on equal
  // load (channels without viewers spread out instead of filling shard 0 to capacity).
  pool.sort(byViewersDescLogin);
  for (const entry of pool) {
    let target = -1;
    for (let s = 0; s < shardCount; s++) {
      const size = shards[s]!.length;
      if (size >= capacity) continue;
      if (target < 0 || loads[s]! < loads[target]! || (loads[s] === loads[target] && size < shards[target]!.length)) target = s;
    }
    if (target < 0) throw new Error('rebalance: no shard has room (shard count too small)');
    entry.shard = target;
    shards[target]!.push(entry);
    loads[target]! += entry.channel.viewers;
  }

  const balanceBound = shardCount === 0 ? 0 : total / shardCount + vmax;
  repairBalance(shards, loads, capacity, balanceBound);

  const moves: Move[] = [];
  const added: string[] = [];
  for (const entry of entries) {
    if (entry.home < 0) added.push(entry.channel.login);
    else if (entry.home !== entry.shard) moves.push({ login: entry.channel.login, from: entry.home, to: entry.shard });
  }
  const byLogin = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  moves.sort((a, b) => byLogin(a.login, b.login));
  added.sort(byLogin);
  removed.sort(byLogin);
  duplicatesDropped.sort(byLogin);
  const assignment = shards.map((shard) => shard.map((e) => e.channel).sort((a, b) => byLogin(a.login, b.login)));
  return { assignment, shardCount, channelCount: entries.length, moves, added, removed, duplicatesDropped, loads, balanceBound };
}

/**
 * While the heaviest shard is over the bound, its biggest channel goes to the lightest shard (or is
 * swapped with that shard's smallest channel when it is full). The lightest shard is at most the
 * mean, so it stays within the bound, and every step strictly lowers the sum of squared loads: the
 * loop ends, and only when every shard is within the bound.
 */
function repairBalance(shards: Entry[][], loads: number[], capacity: number, bound: number): void {
  for (;;) {
    let heavy = 0;
    let light = 0;
    for (let s = 1; s < shards.length; s++) {
      if (loads[s]! > loads[heavy]!) heavy = s;
      if (loads[s]! < loads[light]!) light = s;
    }
    if (shards.length === 0 || loads[heavy]! <= bound) return;
    const from = shards[heavy]!;
    const to = shards[light]!;
    const big = extreme(from, (a, b) => byViewersDescLogin(a, b) < 0);
    moveEntry(from, to, big, heavy, light, loads);
    if (to.length > capacity) {
      const small = extreme(to, (a, b) => byViewersDescLogin(a, b) > 0);
      moveEntry(to, from, small, light, heavy, loads);
    }
  }
}

function extreme(shard: readonly Entry[], better: (a: Entry, b: Entry) => boolean): number {
  let best = 0;
  for (let i = 1; i < shard.length; i++) if (better(shard[i]!, shard[best]!)) best = i;
  return best;
}

function moveEntry(from: Entry[], to: Entry[], index: number, fromId: number, toId: number, loads: number[]): void {
  const entry = from[index]!;
  from[index] = from[from.length - 1]!;
  from.pop();
  to.push(entry);
  entry.shard = toId;
  loads[fromId]! -= entry.channel.viewers;
  loads[toId]! += entry.channel.viewers;
}
