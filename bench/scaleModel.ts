/**
 * The arithmetic of the scale bench (bench/scale.ts), pure so that it is tested on fixed inputs:
 * the Twitch-like traffic model, the time compression, and completeness against ground truth.
 *
 * Traffic model (the simulator's catalog and traffic loop, services/twitch-sim/):
 * - channel k (1 = biggest) has viewers and a chat rate proportional to 1/k^s (Zipf, s = 1.0): with
 *   150,000 viewers on the top channel, 100,000 live channels add up to ~1.8 M concurrent viewers and
 *   the median channel has 3 — the shape of TwitchTracker's public statistics (~2.4 M average
 *   concurrent viewers over ~100,000 live channels in 2021–2024, most channels under 5 viewers;
 *   figures from memory, not re-checked here: no network on this machine);
 * - Twitch-wide chat: about 98,000 messages a minute (2020, the figure issue 19 uses), ≈ 1,633
 *   events/s on average; the bench sends that (SCALE_RATE_FACTOR × it, up to PEAK_FACTOR, the
 *   peak the monthly bill sizes for), so the top channel carries over a hundred messages a second
 *   (three times that at the peak) and most of the tail less than one a minute (skewSummary gives
 *   the exact split for a run);
 * - churn: streams last STREAM_HOURS on average (an assumption, not a public figure), so each
 *   5-minute refresh ends 5 / (60 × STREAM_HOURS) of the live channels and as many others start; a
 *   RAID_SHARE of the ending streams raid a live channel (also an assumption).
 */

/** Twitch's JOIN limit for a normal account: 20 channels per 10 s (per connection in the simulator and the ingester's bucket). */
export const TWITCH_JOIN_LIMIT = { count: 20, windowMs: 10_000 } as const;
/** Twitch-wide chat messages a minute (2020), the figure the issue states. */
export const TWITCH_MESSAGES_PER_MINUTE = 98_000;
export const PEAK_FACTOR = 3;
export const ZIPF_EXPONENT = 1.0;
export const STREAM_HOURS = 4;
export const RAID_SHARE = 0.25;
/** The refresher's production schedule (REFRESH_INTERVAL_MINUTES). */
export const REFRESH_MINUTES = 5;

/**
 * Time compression by `factor`: the JOIN window and the refresh interval shrink by it (20 JOINs
 * per 10 s / factor on each connection, in both the simulator and the ingesters); chat rates do
 * not (events per wall second are events per real second), so stream bytes per second are real.
 */
export function compressedTiming(factor: number): { joinLimit: { count: number; windowMs: number }; refreshIntervalMs: number } {
  if (!(factor >= 1)) throw new RangeError('the time factor must be at least 1');
  return {
    joinLimit: { count: TWITCH_JOIN_LIMIT.count, windowMs: Math.round(TWITCH_JOIN_LIMIT.windowMs / factor) },
    refreshIntervalMs: Math.round((REFRESH_MINUTES * 60_000) / factor),
  };
}

/** The ingester's default JOIN_RATE_GUARD_MS: what production adds to each 10 s window. */
export const PRODUCTION_JOIN_GUARD_MS = 100;

/**
 * How much faster than production the JOIN phase ran: a window of 20 JOINs took `windowMs` +
 * `guardMs` here and takes 10 s + the production guard on Twitch. The bench's guard stays in
 * wall-clock milliseconds (it absorbs event-loop stalls on this shared 2-core machine, which do not
 * shrink with the window; a stall longer than it makes the simulator drop the connection for
 * exceeding the limit, as Twitch may), so it is scaled back at this factor, not at the time factor.
 */
export function joinPhaseFactor(windowMs: number, guardMs: number): number {
  return (TWITCH_JOIN_LIMIT.windowMs + PRODUCTION_JOIN_GUARD_MS) / (windowMs + guardMs);
}

/**
 * Time to full coverage in real minutes: what happens before the first JOIN (refresh, process
 * start, leases) runs at real speed here and counts as measured; the JOIN phase ran `factor`
 * (joinPhaseFactor) times faster and is scaled back.
 */
export function coldStartMinutes(times: { startedAt: number; firstJoinAt: number; coveredAt: number }, factor: number): number {
  const { startedAt, firstJoinAt, coveredAt } = times;
  if (!(startedAt <= firstJoinAt && firstJoinAt <= coveredAt)) throw new RangeError('expected startedAt <= firstJoinAt <= coveredAt');
  return (firstJoinAt - startedAt + (coveredAt - firstJoinAt) * factor) / 60_000;
}

/** The ideal JOIN phase for `channels` on one connection at the real limit, in minutes (the floor cold start cannot beat). */
export function joinFloorMinutes(channelsPerConnection: number): number {
  return (Math.ceil(channelsPerConnection / TWITCH_JOIN_LIMIT.count) * TWITCH_JOIN_LIMIT.windowMs) / 60_000;
}

/** Harmonic number H(n, s) = Σ 1/k^s for k = 1..n. */
export function harmonic(n: number, s: number): number {
  let sum = 0;
  for (let k = n; k >= 1; k--) sum += 1 / Math.pow(k, s);
  return sum;
}

/** Events per second of the channel at `rank` (1 = biggest) among `channels`, when all send `total` per second. */
export function channelRate(rank: number, channels: number, total: number, s = ZIPF_EXPONENT, h = harmonic(channels, s)): number {
  return total / (Math.pow(rank, s) * h);
}

export interface SkewSummary {
  /** Events per second of the three biggest channels. */
  readonly topRates: readonly number[];
  /** Channels at 100 events per second or more. */
  readonly channelsAtHundredsPerSecond: number;
  /** Share of channels below one event a minute. */
  readonly shareBelowOnePerMinute: number;
}

export function skewSummary(channels: number, total: number, s = ZIPF_EXPONENT): SkewSummary {
  const h = harmonic(channels, s);
  const rate = (rank: number) => channelRate(rank, channels, total, s, h);
  let hundreds = 0;
  while (hundreds < channels && rate(hundreds + 1) >= 100) hundreds++;
  // Rates fall with rank: the first rank below 1/60 per second starts the quiet tail.
  let lo = 1;
  let hi = channels + 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rate(mid) < 1 / 60) hi = mid;
    else lo = mid + 1;
  }
  return {
    topRates: [1, 2, 3].filter((k) => k <= channels).map(rate),
    channelsAtHundredsPerSecond: hundreds,
    shareBelowOnePerMinute: (channels - lo + 1) / channels,
  };
}

/** Live channels that end (and as many that start) at each refresh. */
export function churnPerRefresh(liveChannels: number, streamHours = STREAM_HOURS): number {
  return Math.round((liveChannels * REFRESH_MINUTES) / (60 * streamHours));
}

/**
 * Completeness against ground truth: the share of the events sent to at least one joined
 * connection that reached the database (1 when nothing was sent), and how many were lost.
 */
export function completeness(sent: number, missing: number): { capturedShare: number; lost: number } {
  if (!(missing >= 0 && missing <= sent)) throw new RangeError(`missing (${missing}) must be between 0 and sent (${sent})`);
  return { capturedShare: sent === 0 ? 1 : (sent - missing) / sent, lost: missing };
}
