import { brotliCompressSync, constants } from 'node:zlib';
import { rebalance, type LiveChannel, type RebalanceSettings } from '../core/control/rebalance.ts';
import type { ShardChannel } from '../core/control/layout.ts';
import { selectSnapshots, type PublishedSnapshot } from '../core/control/selectSnapshots.ts';
import type { StreamSnapshot } from '../core/events/streamSnapshot.ts';
import { seededRandom } from '../test/helpers/seededRandom.ts';

/** Zipf-like viewer counts: a few huge channels, a long tail. */
function liveChannels(count: number, random: () => number, prefix = 'ch'): LiveChannel[] {
  return Array.from({ length: count }, (_, i) => ({
    login: `${prefix}${i}`,
    id: `${prefix}-${i}`,
    viewers: Math.max(1, Math.floor((150_000 / (i + 1) ** 1.0) * (0.5 + random()))),
  }));
}

/**
 * A lower bound on the moves any rebalance needs: per shard, the channels that must leave it
 * because it is over capacity or, keeping only its sticky channels, over the balance bound (its
 * biggest channels first). New channels and removals are not moves.
 */
function minimumMoves(
  current: readonly (readonly ShardChannel[])[],
  live: readonly LiveChannel[],
  settings: RebalanceSettings,
  bound: number,
): number {
  const liveViewers = new Map(live.map((c) => [c.login, c.viewers]));
  let moves = 0;
  for (const shard of current) {
    const kept = shard
      .filter((c) => liveViewers.has(c.login))
      .map((c) => liveViewers.get(c.login)!)
      .sort((a, b) => b - a);
    let load = kept.reduce((a, b) => a + b, 0);
    let shed = 0;
    while (load > bound && shed < kept.length) load -= kept[shed++]!;
    moves += Math.max(shed, kept.length - settings.shardCapacity);
  }
  return moves;
}

/**
 * storage.snapshot_rows_per_channel_day (issue 16, target <= 30): a day of refreshes every 5
 * minutes for 2,000 channels that are live all day (the worst case: 288 rows a channel-day when
 * every snapshot is stored), through selectSnapshots with the defaults (20 % viewers, a row in
 * every clock hour, refreshes every 5 minutes).
 * A seeded model of Twitch-like churn per channel and refresh:
 * - a stream's viewers follow a target that drifts (log-normal step, sigma 1.5 % a refresh: about
 *   5 % an hour) with 3 % noise around it, and in its first minutes ramp up from half of the
 *   target (half of the gap closed per refresh);
 * - a stream ends with probability 1/96 a refresh (8-hour streams; the channel starts a new one
 *   at once: new stream_id, new target);
 * - the game changes with probability 1/96 a refresh (every 8 hours), the title 1/144, the tags 1/576.
 * Bytes: the published snapshots as NDJSON (the rows' content), and as brotli records on the stream.
 */
function snapshotChurn(channels: number, random: () => number) {
  const step = 5 * 60_000;
  const refreshes = 24 * 12;
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const streams = Array.from({ length: channels }, (_, i) => ({
    i,
    stream: 0,
    target: Math.max(5, Math.floor(50_000 / (i + 1))),
    viewers: 0,
    age: 0,
    game: 0,
    title: 0,
    tags: 0,
  }));
  for (const s of streams) s.viewers = s.target;
  let state = new Map<string, PublishedSnapshot>();
  let rows = 0;
  let ndjsonBytes = 0;
  let recordBytes = 0;
  let stateBytes = 0;
  for (let r = 0; r < refreshes; r++) {
    const now = 1_700_000_000_000 + r * step;
    const snapshots: StreamSnapshot[] = streams.map((s) => {
      if (random() < 1 / 96)
        Object.assign(s, {
          stream: s.stream + 1,
          target: Math.max(5, Math.floor((50_000 / (s.i + 1)) * (0.5 + random()))),
          age: 0,
          viewers: 0,
        });
      if (s.age === 0) s.viewers = Math.max(1, Math.floor(s.target / 2));
      s.age++;
      if (random() < 1 / 96) s.game++;
      if (random() < 1 / 144) s.title++;
      if (random() < 1 / 576) s.tags++;
      s.target *= Math.exp(0.015 * gauss());
      s.viewers =
        s.age <= 4 ? Math.round(s.viewers + (s.target - s.viewers) / 2) : Math.max(0, Math.round(s.target * Math.exp(0.03 * gauss())));
      return {
        v: 1,
        kind: 'stream_snapshot',
        event_id: `s:${s.i}-${s.stream}:${now}`,
        channel: `channel${s.i}`,
        channel_id: String(10_000_000 + s.i * 7919),
        stream_id: `${s.i}-${s.stream}`,
        game_id: String(500_000 + s.game),
        game_name: `Game ${s.game}`,
        title: `stream ${s.i} title ${s.title} !drops !discord`,
        viewer_count: s.viewers,
        language: 'en',
        started_at: now - s.age * step,
        is_mature: false,
        tags: ['English', `tag${s.tags}`],
        captured_at: now,
      } satisfies StreamSnapshot;
    });
    const selected = selectSnapshots(snapshots, state, { viewerChange: 0.2, heartbeatMs: 60 * 60_000, refreshIntervalMs: step }, now);
    state = selected.state;
    rows += selected.publish.length;
    const ndjson = Buffer.from(selected.publish.map((p) => `${JSON.stringify(p)}\n`).join(''));
    ndjsonBytes += ndjson.length;
    recordBytes += brotliCompressSync(ndjson, { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } }).length + 4;
    stateBytes = Math.max(
      stateBytes,
      [...state].reduce(
        (sum, [id, p]) => sum + id.length + String(p.viewers).length + p.fingerprint.length + p.publishedAt.toString(36).length + 4,
        0,
      ),
    );
  }
  return {
    'storage.snapshot_rows_per_channel_day': Number((rows / channels).toFixed(1)),
    'storage.snapshot_bytes_per_channel_day': Math.round(ndjsonBytes / channels),
    'kinesis.snapshot_bytes_per_channel_day': Math.round(recordBytes / channels),
    'refresher.snapshot_state_bytes_per_channel': Number((stateBytes / channels).toFixed(1)),
  };
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
    ...snapshotChurn(2000, seededRandom(16)),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await bench({ quick: process.argv.includes('--quick') }), null, 2));
}
