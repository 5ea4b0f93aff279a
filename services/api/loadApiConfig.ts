import { isIP } from 'node:net';
import { readInt, readString, type Env } from '../../core/config.ts';
import { ConfigError } from '../../core/errors.ts';
import type { RateLimit } from './clientRateLimiter.ts';

export interface ApiConfig {
  /** API_PORT: 8025, the port justlog and rustlog listen on. */
  readonly port: number;
  /** API_HOST: loopback unless the service must be reached from outside (0.0.0.0 in a container). */
  readonly host: string;
  /** API_RATE_PER_SECOND (default 20; 0 turns the limit off) and API_RATE_BURST (default 60), per client address. */
  readonly rateLimit: RateLimit | null;
  /** API_ADMIN_KEY: enables the admin routes (Authorization: Bearer …); from Secrets Manager on AWS. */
  readonly adminKey: string | undefined;
}

/** Long enough that guessing it over HTTP, at the rate limit, is hopeless. */
const MIN_ADMIN_KEY_CHARS = 24;

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

export function loadApiConfig(env: Env = process.env): ApiConfig {
  const host = readString(env, 'API_HOST') ?? '127.0.0.1';
  if (isIP(host) === 0 && !HOSTNAME.test(host))
    throw new ConfigError(`API_HOST must be an IP address or a host name, got "${host}"`, { setting: 'API_HOST' });
  const perSecond = readInt(env, 'API_RATE_PER_SECOND', 20, { min: 0, max: 100_000 });
  const burst = readInt(env, 'API_RATE_BURST', 60, { min: 1, max: 1_000_000 });
  const adminKey = readString(env, 'API_ADMIN_KEY');
  if (adminKey !== undefined && (adminKey.length < MIN_ADMIN_KEY_CHARS || /\s/.test(adminKey)))
    throw new ConfigError(`API_ADMIN_KEY must be at least ${MIN_ADMIN_KEY_CHARS} characters without spaces (e.g. openssl rand -hex 24)`, {
      setting: 'API_ADMIN_KEY',
    });
  return {
    port: readInt(env, 'API_PORT', 8025, { min: 0, max: 65_535 }),
    host,
    rateLimit: perSecond === 0 ? null : { perSecond, burst },
    adminKey,
  };
}
