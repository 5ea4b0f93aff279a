export interface BucketResult {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Unix epoch seconds at which the bucket is full again (Ratelimit-Reset). */
  reset: number;
}

/** Helix's rate limit: a token bucket per client, refilled continuously (Twitch: 800 points per minute). */
export interface TokenBucket {
  take(key: string, now: number, cost?: number): BucketResult;
}

export function createTokenBucket(limit: { points: number; windowMs: number }): TokenBucket {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const perMs = limit.points / limit.windowMs;
  return {
    take(key, now, cost = 1) {
      const bucket = buckets.get(key) ?? { tokens: limit.points, at: now };
      bucket.tokens = Math.min(limit.points, bucket.tokens + Math.max(0, now - bucket.at) * perMs);
      bucket.at = now;
      const allowed = bucket.tokens >= cost;
      if (allowed) bucket.tokens -= cost;
      buckets.set(key, bucket);
      return {
        allowed,
        limit: limit.points,
        remaining: Math.floor(bucket.tokens),
        reset: Math.ceil((now + (limit.points - bucket.tokens) / perMs) / 1000),
      };
    },
  };
}
