import { TwitchApiError } from '../errors.ts';
import type { Clock } from './clock.ts';
import { AppTokenResponseSchema } from './schemas.ts';

export interface AppCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

interface CachedToken {
  readonly token: string;
  readonly expiresAt: number;
}

/**
 * Client-credentials tokens cached at module scope, so a warm Lambda reuses its token across
 * invocations. Keyed by auth URL and client id; concurrent callers share one in-flight request.
 */
const cache = new Map<string, CachedToken>();
const inFlight = new Map<string, Promise<CachedToken>>();
/** Renew this long before Twitch's stated expiry rather than racing it. */
const EXPIRY_MARGIN_MS = 60_000;

export interface AppTokenRequest {
  readonly authUrl: string;
  readonly credentials: AppCredentials;
  readonly fetch: typeof fetch;
  readonly clock: Clock;
}

const keyOf = (request: AppTokenRequest) => `${request.authUrl}|${request.credentials.clientId}`;

export async function getAppToken(request: AppTokenRequest): Promise<string> {
  const key = keyOf(request);
  const cached = cache.get(key);
  if (cached && cached.expiresAt - EXPIRY_MARGIN_MS > request.clock.now()) return cached.token;
  let pending = inFlight.get(key);
  if (!pending) {
    pending = requestToken(request).finally(() => inFlight.delete(key));
    inFlight.set(key, pending);
  }
  const fresh = await pending;
  cache.set(key, fresh);
  return fresh.token;
}

/** Forgets `token` after Helix rejected it (401); a newer token cached meanwhile is kept. */
export function invalidateAppToken(request: Pick<AppTokenRequest, 'authUrl' | 'credentials'>, token: string): void {
  const key = `${request.authUrl}|${request.credentials.clientId}`;
  if (cache.get(key)?.token === token) cache.delete(key);
}

export function clearAppTokenCache(): void {
  cache.clear();
}

async function requestToken(request: AppTokenRequest): Promise<CachedToken> {
  const body = new URLSearchParams({
    client_id: request.credentials.clientId,
    client_secret: request.credentials.clientSecret,
    grant_type: 'client_credentials',
  });
  let response: Response;
  try {
    response = await request.fetch(`${request.authUrl.replace(/\/$/, '')}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
  } catch (cause) {
    throw new TwitchApiError('token request failed', { cause, retriable: true });
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new TwitchApiError(`token request returned ${response.status}`, {
      status: response.status,
      retriable: response.status >= 500 || response.status === 429,
    });
  }
  const parsed = AppTokenResponseSchema.safeParse(await response.json());
  if (!parsed.success) throw new TwitchApiError(`token response is malformed: ${parsed.error.issues[0]?.message}`);
  return { token: parsed.data.access_token, expiresAt: request.clock.now() + parsed.data.expires_in * 1000 };
}
