import { PoglyticsError } from './errors.ts';

export interface BackoffOptions {
  readonly baseMs?: number;
  readonly maxMs?: number;
  /** Random source in [0, 1): injectable so tests are deterministic. */
  readonly random?: () => number;
}

/** Capped exponential backoff with full jitter: a delay in [0, min(max, base * 2^attempt)). */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? 100;
  const max = options.maxMs ?? 30_000;
  const ceiling = Math.min(max, base * 2 ** Math.min(attempt, 30));
  return Math.floor((options.random ?? Math.random)() * ceiling);
}

/** True for errors worth retrying: our own retriable errors and network-level failures. */
export function isRetriable(error: unknown): boolean {
  if (error instanceof PoglyticsError) return error.retriable;
  if (error instanceof TypeError || error instanceof RangeError || error instanceof SyntaxError) return false;
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EAI_AGAIN|ENOTFOUND|UND_ERR)/.test(code)) return true;
  const meta = (error as { $retryable?: unknown; $metadata?: { httpStatusCode?: number } }) ?? {};
  if (meta.$retryable) return true;
  const status = meta.$metadata?.httpStatusCode;
  return status !== undefined && (status >= 500 || status === 429);
}
