import { describeConfigError } from '../core/describeConfigError.ts';
import { ConfigError, SinkConnectError, SinkWriteError } from '../core/errors.ts';
import { redactCredentials } from '../core/redactCredentials.ts';

/** What a system error code means to someone who can fix it. */
const SYSTEM_CODES: Record<string, string> = {
  EADDRINUSE: 'already in use',
  EADDRNOTAVAIL: 'not an address of this machine',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'does not exist',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'is a directory',
  EEXIST: 'already exists',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
};

/**
 * One line for a failure the user can fix (a bad setting, a database that cannot be reached, a
 * port in use, a missing file), or null for anything else: a bug, which keeps its stack trace.
 * A setting comes first: `KINESIS_SHARDS: must be at least 1, got 0`.
 */
export function describeExpectedError(error: unknown): string | null {
  if (error instanceof ConfigError) return describeConfigError(error);
  if (error instanceof SinkConnectError || error instanceof SinkWriteError) return redactCredentials(error.message);
  const system = error as { code?: unknown; syscall?: unknown; path?: unknown; address?: unknown; port?: unknown } | null;
  const code = typeof system?.code === 'string' ? system.code : undefined;
  if (code === undefined || typeof system?.syscall !== 'string' || !(code in SYSTEM_CODES)) return null;
  const subject =
    typeof system.path === 'string'
      ? system.path
      : typeof system.address === 'string'
        ? `${system.address}:${typeof system.port === 'number' || typeof system.port === 'string' ? system.port : ''}`
        : system.syscall;
  return `${subject}: ${SYSTEM_CODES[code]} [${code}]`;
}
