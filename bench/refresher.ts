import { rebalance, type LiveChannel, type RebalanceSettings } from '../core/control/rebalance.ts';
import type { ShardChannel } from '../core/control/layout.ts';
import { seededRandom } from '../test/helpers/seededRandom.ts';


/** Zipf-like viewer counts: a few huge channels, a long tail. */
function liveChannels(count: number, random: () => number, prefix = 'ch'): LiveChannel[] {
  return Array.from({ length: count }, (_, i) => ({ login: `${prefix}${i}`, id: `${prefix}-${i}`, viewers: Math.max(1, Math.floor(150_000 / (i + 1) ** 1.0 * (0.5 + random()))) }));
}

/**
 * A lower bound on the moves any rebalance needs: per shard, the channels that must leave it
 * because it is over capacity or, keeping only its sticky channels, over the balance bound (its
 * biggest channels first). New channels and removals are not moves.
 */
function minimumMoves(current: readonly (readonly ShardChannel[])[], live: readonly LiveChannel[], settings: RebalanceSettings, bound: number): number {
  const liveViewers = new Map(live.map((c) => [c.login, c.viewers]));
  let moves = 0;
  for (const shard of current) {
    const kept = shard.filter((c) => liveViewers.has(c.login)).map((c) => liveViewers.get(c.login)!).sort((a, b) => b - a);
    let load = kept.reduce((a, b) => a + b, 0);
    let shed = 0;
    while (load > bound && shed < kept.length) load -= kept[shed++]!;
    moves += Math.max(shed, kept.length - settings.shardCapacity);
  }
  return moves;
}

export async function bench(options: { quick: boolean }): Promise<Record<string, number>> {
  const random = seededRandom(42);
  const count = 100_000;
  // 100,000 channels over 50 shards of 2,000.
  const settings: RebalanceSettings = { shardCapacity: 2000, offlineGraceMs: 0, headroom: 1 };
  const live = liveChannels(count, random);
  const runs = options.quick ? 3 : 10;
  const times: number[] = [];
  let initial = rebalance([], live, settings, 0);
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    initial = rebalance([], live, settings, 0);
    times.push(performance.now() - started);
  }
  // A realistic refresh: 10% of channels (at random) went offline and as many new ones came
  // online, and every viewer count moved by up to ±20%.
  const gone = new Set<number>();
  while (gone.size < count / 10) gone.add(Math.floor(random() * count));
  const next: LiveChannel[] = live
    .filter((_, i) => !gone.has(i))
    .map((c) => ({ ...c, viewers: Math.max(0, Math.round(c.viewers * (0.8 + 0.4 * random()))) }));
  next.push(...liveChannels(count / 10, random, 'new').map((c) => ({ ...c, viewers: Math.max(1, Math.floor(c.viewers / 20)) })));
  const refreshTimes: number[] = [];
  let refreshed = rebalance(initial.assignment, next, settings, 60_000);
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    refreshed = rebalance(initial.assignment, next, settings, 60_000);
    refreshTimes.push(performance.now() - started);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return {
    'refresher.rebalance_ms_100k': Math.round(median(times) * 10) / 10,
    'refresher.refresh_rebalance_ms_100k': Math.round(median(refreshTimes) * 10) / 10,
    'refresher.shards': refreshed.shardCount,
    'refresher.moves': refreshed.moves.length,
    'refresher.min_moves': minimumMoves(initial.assignment, next, settings, refreshed.balanceBound),
    'refresher.added': refreshed.added.length,
    'refresher.removed': refreshed.removed.length,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await bench({ quick: process.argv.includes('--quick') }), null, 2));
}
