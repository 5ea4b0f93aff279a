import { isRetriable } from '../retry.ts';

/** Why storage is refusing writes: the label of the pause metric and the word in the log. */
export const OutageReason = {
  DiskFull: 'disk_full',
  Permission: 'permission',
  Unreachable: 'unreachable',
  Io: 'io_error',
  Unavailable: 'unavailable',
} as const;
export type OutageReason = (typeof OutageReason)[keyof typeof OutageReason];

export const OutageStore = { Sink: 'sink', DeadLetter: 'dead-letter', OnFailure: 'on-failure', OptOutList: 'opt-out-list' } as const;
export type OutageStore = (typeof OutageStore)[keyof typeof OutageStore];

/** A write the consumer must wait out: nothing in the batch is acknowledged while it lasts. */
export interface StorageOutage {
  readonly store: OutageStore;
  readonly reason: OutageReason;
  /** The driver's or the file system's own words (never a password: sink errors are redacted). */
  readonly message: string;
}

// Codes first (they survive wrapping), then the words Postgres and S3 use.
const PATTERNS: readonly [RegExp, OutageReason][] = [
  [/ENOSPC|EDQUOT|SQLITE_FULL|\b53100\b|disk.?full|no space left|could not extend file|quota/i, OutageReason.DiskFull],
  [/EACCES|EPERM|EROFS|SQLITE_READONLY|SQLITE_CANTOPEN|SQLITE_PERM|AccessDenied|Forbidden|read-only/i, OutageReason.Permission],
  [
    /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE|UND_ERR|unreachable|cannot reach|socket hang up|timed? ?out/i,
    OutageReason.Unreachable,
  ],
  [/EIO\b|SQLITE_IOERR|SQLITE_BUSY|SQLITE_LOCKED|I\/O error/i, OutageReason.Io],
];

/** Every code, name and message along the `cause` chain, for matching. */
function describeChain(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 8; depth++) {
    const { code, name, message } = e as { code?: unknown; name?: unknown; message?: unknown };
    parts.push(
      [code, name, message]
        .filter((p) => p !== undefined)
        .map(String)
        .join(' '),
    );
    e = (e as { cause?: unknown }).cause;
  }
  return parts.join(' | ');
}

/**
 * Decides whether a failed write is an outage to wait out (the store is full, forbidden or gone)
 * or a problem with the data. A dead-letter or on-failure write that fails is always an outage:
 * there is nowhere further to put the record. A sink error is one when it is retriable (the sinks
 * mark bad data and bad SQL as not retriable).
 */
export function classifyOutage(store: OutageStore, error: unknown): StorageOutage | null {
  if (store === OutageStore.Sink && !isRetriable(error)) return null;
  const chain = describeChain(error);
  const reason = PATTERNS.find(([pattern]) => pattern.test(chain))?.[1] ?? OutageReason.Unavailable;
  const message = error instanceof Error ? error.message : String(error);
  return { store, reason, message };
}
