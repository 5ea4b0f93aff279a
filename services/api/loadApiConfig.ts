import { isIP } from 'node:net';
import { readInt, readString, type Env } from '../../core/config.ts';
import { ConfigError } from '../../core/errors.ts';

export interface ApiConfig {
  /** API_PORT: 8025, the port justlog and rustlog listen on. */
  readonly port: number;
  /** API_HOST: loopback unless the service must be reached from outside (0.0.0.0 in a container). */
  readonly host: string;
}

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

export function loadApiConfig(env: Env = process.env): ApiConfig {
  const host = readString(env, 'API_HOST') ?? '127.0.0.1';
  if (isIP(host) === 0 && !HOSTNAME.test(host))
    throw new ConfigError(`API_HOST must be an IP address or a host name, got "${host}"`, { setting: 'API_HOST' });
  return { port: readInt(env, 'API_PORT', 8025, { min: 0, max: 65_535 }), host };
}
