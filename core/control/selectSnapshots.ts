import { createHash } from 'node:crypto';
import type { StreamSnapshot } from '../events/streamSnapshot.ts';

/** When a channel's snapshot is worth a row (SNAPSHOT_VIEWER_CHANGE, SNAPSHOT_HEARTBEAT_MINUTES). */
export interface SnapshotPolicy {
  /** Publish when viewers moved by more than this share of the last published count (0.2: ±20 %). */
  readonly viewerChange: number;
  /** At least one row per live channel in each period of this length (aligned to the epoch: clock hours for 60 minutes). */
  readonly heartbeatMs: number;
  /** How often refreshes run (REFRESH_INTERVAL_MINUTES, LOCAL_REFRESH_INTERVAL_MS): tells a period's last refresh. */
  readonly refreshIntervalMs: number;
}

/** What was last published for a channel: enough to judge the next snapshot, nothing more. */
export interface PublishedSnapshot {
  readonly viewers: number;
  /** Hash of stream_id, game, title, tags, is_mature and language: any change there is a change. */
  readonly fingerprint: string;
  readonly publishedAt: number;
}

/** Last published state per channel_id. */
export type PublishedSnapshots = ReadonlyMap<string, PublishedSnapshot>;

export function snapshotFingerprint(s: StreamSnapshot): string {
  const parts = [s.stream_id, s.game_id ?? '', s.game_name ?? '', s.title, s.is_mature ? '1' : '0', s.language ?? '', ...s.tags];
  // 48 bits: a false "unchanged" needs a collision within one channel's own history.
  return createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 8);
}

/**
 * The snapshots to publish now, and the state to remember. A channel's snapshot is published when
 * it has none published yet (new channel or a forgotten state), its stream, game, title, tags,
 * is_mature or language changed, its viewer count moved by more than `viewerChange` of the last
 * published count, or as the heartbeat: at the last refresh of a period (`heartbeatMs`, aligned
 * to the epoch) in which nothing was published for the channel yet.
 *
 * Why at the period's last refresh: a heartbeat `heartbeatMs` after the last row (the first
 * policy) adds a row for every hour without a change on top of every change, 31.9 rows per
 * channel-day in bench/refresher.ts; at the end of a clock hour it is only needed when that hour
 * had no change, so a channel-day costs max(1, changes) per hour: 24 plus the hours with two
 * changes or more (the bench reports the figure). Every live hour still holds a row, so "the state
 * at hour H" is always one row away.
 *
 * A state older than two periods decides nothing (the next snapshot is published anyway), which
 * also covers missed refreshes: a channel is never silent for more than two periods. Channels not
 * in this refresh keep their state until then, so a channel missing from one Helix listing is not
 * republished when it comes back. Pure and deterministic.
 */
export function selectSnapshots(
  snapshots: readonly StreamSnapshot[],
  previous: PublishedSnapshots,
  policy: SnapshotPolicy,
  now: number,
): { publish: StreamSnapshot[]; state: Map<string, PublishedSnapshot> } {
  const state = new Map<string, PublishedSnapshot>();
  for (const [channelId, last] of previous) if (now - last.publishedAt < 2 * policy.heartbeatMs) state.set(channelId, last);
  const period = Math.floor(now / policy.heartbeatMs);
  const periodStart = period * policy.heartbeatMs;
  const lastRefreshOfPeriod = Math.floor((now + policy.refreshIntervalMs) / policy.heartbeatMs) > period;
  const publish: StreamSnapshot[] = [];
  for (const snapshot of snapshots) {
    const fingerprint = snapshotFingerprint(snapshot);
    const last = state.get(snapshot.channel_id);
    const changed =
      last === undefined ||
      (lastRefreshOfPeriod && last.publishedAt < periodStart) ||
      last.fingerprint !== fingerprint ||
      Math.abs(snapshot.viewer_count - last.viewers) > policy.viewerChange * Math.max(last.viewers, 1);
    if (!changed) continue;
    publish.push(snapshot);
    state.set(snapshot.channel_id, { viewers: snapshot.viewer_count, fingerprint, publishedAt: now });
  }
  return { publish, state };
}
