import { TwitchApiError } from '../errors.ts';
import { backoffDelay } from '../retry.ts';
import { getAppToken, invalidateAppToken, type AppCredentials } from './appToken.ts';
import { systemClock, type Clock } from './clock.ts';

export interface HelixClientOptions {
  readonly helixUrl: string;
  readonly authUrl: string;
  readonly credentials: AppCredentials;
  readonly fetch?: typeof fetch;
  readonly clock?: Clock;
  /** Attempts per request for 429, 5xx and network errors (default 6). */
  readonly maxAttempts?: number;
  /** Longest single wait for a rate-limit reset (default 60 s). */
  readonly maxWaitMs?: number;
  readonly random?: () => number;
}

export interface HelixStats {
  requests: number;
  retries: number;
  rateLimited: number;
  tokenRefreshes: number;
  rateLimitRemaining: number | undefined;
  rateLimitLimit: number | undefined;
}

/**
 * A small Helix GET client. The rate-limit bucket Twitch reports (Ratelimit-Remaining/-Reset) is
 * tracked, and a request that would find it empty waits for the reset instead of earning a 429.
 * A 429 waits for the reported reset (or backs off), 5xx and network errors retry a bounded number
 * of times, and a 401 replaces the cached app token once.
 */
export class HelixClient {
  readonly stats: HelixStats = {
    requests: 0,
    retries: 0,
    rateLimited: 0,
    tokenRefreshes: 0,
    rateLimitRemaining: undefined,
    rateLimitLimit: undefined,
  };
  private readonly fetch: typeof fetch;
  private readonly clock: Clock;
  private readonly maxAttempts: number;
  private readonly maxWaitMs: number;
  private resetAt: number | undefined;

  constructor(private readonly options: HelixClientOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
    this.clock = options.clock ?? systemClock;
    this.maxAttempts = options.maxAttempts ?? 6;
    this.maxWaitMs = options.maxWaitMs ?? 60_000;
  }

  async get(path: string, params: readonly (readonly [string, string])[] = []): Promise<unknown> {
    const url = new URL(`${this.options.helixUrl.replace(/\/$/, '')}/${path.replace(/^\//, '')}`);
    for (const [key, value] of params) url.searchParams.append(key, value);
    const tokenRequest = { authUrl: this.options.authUrl, credentials: this.options.credentials, fetch: this.fetch, clock: this.clock };
    let refreshedToken = false;
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) this.stats.retries++;
      await this.waitForBucket();
      const token = await getAppToken(tokenRequest);
      let response: Response;
      try {
        this.stats.requests++;
        response = await this.fetch(url, { headers: { 'client-id': this.options.credentials.clientId, authorization: `Bearer ${token}` } });
      } catch (cause) {
        if (attempt + 1 >= this.maxAttempts) throw new TwitchApiError(`GET ${path} failed`, { cause, retriable: true });
        await this.clock.sleep(backoffDelay(attempt, { baseMs: 200, maxMs: 5000, random: this.options.random }));
        continue;
      }
      this.recordRateLimit(response.headers);
      if (response.ok) return response.json();
      await response.body?.cancel();
      const status = response.status;
      if (status === 401 && !refreshedToken) {
        refreshedToken = true;
        this.stats.tokenRefreshes++;
        invalidateAppToken(tokenRequest, token);
        continue;
      }
      const retriable = status === 429 || status >= 500;
      if (!retriable || attempt + 1 >= this.maxAttempts) {
        throw new TwitchApiError(`GET ${path} returned ${status}`, { status, retriable });
      }
      if (status === 429) {
        this.stats.rateLimited++;
        const untilReset = this.resetAt === undefined ? undefined : this.resetAt - this.clock.now();
        const wait =
          untilReset !== undefined && untilReset > 0
            ? untilReset
            : backoffDelay(attempt, { baseMs: 500, maxMs: 10_000, random: this.options.random });
        await this.clock.sleep(Math.min(wait, this.maxWaitMs));
      } else {
        await this.clock.sleep(backoffDelay(attempt, { baseMs: 200, maxMs: 5000, random: this.options.random }));
      }
    }
  }

  private async waitForBucket(): Promise<void> {
    if (this.stats.rateLimitRemaining !== 0 || this.resetAt === undefined) return;
    const wait = this.resetAt - this.clock.now();
    if (wait > 0) await this.clock.sleep(Math.min(wait, this.maxWaitMs));
    // The bucket refills at the reset; the next response tells us the real numbers.
    this.stats.rateLimitRemaining = undefined;
  }

  private recordRateLimit(headers: Headers): void {
    const remaining = Number.parseInt(headers.get('ratelimit-remaining') ?? '', 10);
    const limit = Number.parseInt(headers.get('ratelimit-limit') ?? '', 10);
    const reset = Number.parseInt(headers.get('ratelimit-reset') ?? '', 10);
    if (Number.isFinite(remaining)) this.stats.rateLimitRemaining = remaining;
    if (Number.isFinite(limit)) this.stats.rateLimitLimit = limit;
    // Ratelimit-Reset is in epoch seconds; a small margin covers clock skew at the boundary.
    if (Number.isFinite(reset)) this.resetAt = reset * 1000 + 100;
  }
}
