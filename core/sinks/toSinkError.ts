import { PoglyticsError, SinkConnectError, SinkWriteError } from '../errors.ts';

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused (is the server running and the port right?)',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ECONNRESET: 'connection reset by the server',
  EPIPE: 'connection closed by the server',
};

/** Postgres SQLSTATEs that mean "cannot connect or not allowed in", not "bad data". */
const PG_CONNECT_STATES: Record<string, string> = {
  '28P01': 'the server refused the credentials',
  '28000': 'the server refused the login',
  '3D000': 'the database does not exist',
  '57P03': 'the server is starting up or shutting down',
  '53300': 'too many connections',
};

/** Node's TLS verification failures: the server answered, but we cannot trust it is the one configured. */
const TLS_VERIFY_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** ClickHouse error codes for refused credentials and missing databases. */
const CLICKHOUSE_CONNECT_CODES: Record<string, string> = {
  '516': 'the server refused the credentials',
  '192': 'unknown user',
  '81': 'the database does not exist',
  '194': 'the server refused the password',
};

/**
 * Turns a driver error into a SinkConnectError (the database is unreachable or refuses us: names
 * the target and the reason, never the password) or a SinkWriteError. Both are retriable; a
 * SinkWriteError caused by bad SQL or data is not.
 */
export function toSinkError(target: string, error: unknown, action: string): PoglyticsError {
  if (error instanceof PoglyticsError) return error;
  const err = error as { code?: unknown; message?: unknown; errors?: unknown[] } | undefined;
  const code = codeOf(err?.code);
  const message = typeof err?.message === 'string' ? err.message : String(error);
  // AggregateError (Node's happy-eyeballs) carries the real code on its members.
  const inner = Array.isArray(err?.errors) ? (err.errors[0] as { code?: unknown } | undefined) : undefined;
  const innerCode = codeOf(inner?.code);
  const netCode = NETWORK_CODES[code] ? code : NETWORK_CODES[innerCode] ? innerCode : undefined;
  if (netCode) return new SinkConnectError(`cannot reach ${target}: ${NETWORK_CODES[netCode]} [${netCode}]`, { cause: error });
  if (TLS_VERIFY_CODES.has(code)) {
    return new SinkConnectError(
      `cannot connect to ${target}: its TLS certificate does not verify against the CA (DATABASE_CA_FILE, or sslmode in DATABASE_URL): ${redact(message)} [${code}]`,
      { cause: error },
    );
  }
  if (/does not support SSL/i.test(message)) {
    return new SinkConnectError(
      `cannot connect to ${target}: the server does not offer TLS; set sslmode=disable in DATABASE_URL only on a private network`,
      { cause: error },
    );
  }
  const pgState = PG_CONNECT_STATES[code];
  if (pgState) return new SinkConnectError(`cannot connect to ${target}: ${pgState} (${redact(message)})`, { cause: error });
  const chCode = CLICKHOUSE_CONNECT_CODES[code];
  if (chCode) return new SinkConnectError(`cannot connect to ${target}: ${chCode} (${redact(message)})`, { cause: error });
  if (/timeout|connection terminated|socket hang up|Connection terminated/i.test(message) && code === '') {
    return new SinkConnectError(`cannot reach ${target}: ${redact(message)}`, { cause: error });
  }
  // Postgres class 22/23/42 errors are about the data or the SQL: retrying cannot help.
  const permanent = /^(22|23|42)/.test(code);
  return new SinkWriteError(`${action} on ${target} failed: ${redact(message)}${code ? ` [${code}]` : ''}`, {
    cause: error,
    retriable: !permanent,
  });
}

/** Strips `user:password@` from any URL that a driver echoed into its message. */
export function redact(text: string): string {
  return text.replace(/\/\/[^/@\s:]*:[^/@\s]*@/g, '//***@');
}

/** `scheme://host:port/path` without credentials or query: how errors and logs name a database. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return '(unparseable URL)';
  }
}

/** Drivers put a string (errno, SQLSTATE) or a number (ClickHouse) in `code`; anything else is none. */
function codeOf(code: unknown): string {
  return typeof code === 'string' || typeof code === 'number' ? String(code) : '';
}
