import { PoglyticsError } from '../errors.ts';

/**
 * The dead-letter store refused an entry (disk full, no permission, S3 unreachable or denying).
 * Always retriable: a dead letter is where data goes when everything else failed, so the caller
 * must hold on to the record and try again rather than treat it as kept.
 */
export class DeadLetterWriteError extends PoglyticsError {
  /** The underlying code (`ENOSPC`, `EACCES`, an S3 error name), for logs and the pause reason. */
  readonly code: string | undefined;
  constructor(message: string, options: { cause?: unknown; code?: string } = {}) {
    super(message, { cause: options.cause, retriable: true });
    this.name = 'DeadLetterWriteError';
    this.code = options.code;
  }
}
