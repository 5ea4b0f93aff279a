/** A client's bucket: tokens left as of `at`. */
interface Bucket {
  tokens: number;
  at: number;
}

export interface RateLimit {
  /** Requests a client may make in a burst. */
  readonly burst: number;
  /** Requests per second a client gets back. */
  readonly perSecond: number;
}

/** The answer for one request: allowed, or refused with the seconds until one more is allowed (Retry-After). */
export type RateDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterS: number };

/** Clients tracked at once; past it the map is swept of clients whose buckets are full again. */
const MAX_CLIENTS = 100_000;

/**
 * Per-client token buckets for the read API (API_RATE_PER_SECOND, API_RATE_BURST). A client is
 * its address as the server sees it. A bucket refills continuously, so a steady client at the
 * rate never waits and a burst is capped. Memory is bounded: buckets that have refilled are
 * equivalent to no bucket and are dropped when the map grows past MAX_CLIENTS.
 */
export class ClientRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
  ) {
    if (!(limit.burst >= 1) || !(limit.perSecond > 0)) throw new RangeError('a rate limit needs burst >= 1 and perSecond > 0');
  }

  take(client: string): RateDecision {
    const now = this.now();
    let bucket = this.buckets.get(client);
    if (bucket === undefined) {
      if (this.buckets.size >= MAX_CLIENTS) this.sweep(now);
      bucket = { tokens: this.limit.burst, at: now };
      this.buckets.set(client, bucket);
    } else {
      bucket.tokens = Math.min(this.limit.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.limit.perSecond);
      bucket.at = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterS: Math.max(1, Math.ceil((1 - bucket.tokens) / this.limit.perSecond)) };
  }

  /** Clients tracked now. */
  get size(): number {
    return this.buckets.size;
  }

  private sweep(now: number): void {
    for (const [client, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.at) / 1000) * this.limit.perSecond >= this.limit.burst) this.buckets.delete(client);
    }
  }
}
