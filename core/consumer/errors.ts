import { PoglyticsError } from '../errors.ts';
import type { StorageOutage } from './classifyOutage.ts';

/**
 * The sink or the dead-letter store cannot be written right now (disk full, permission, database
 * unreachable). Thrown by the local consumer handler so the event source mapping waits and retries
 * the same batch instead of counting an attempt, bisecting or sending records to on-failure.
 */
export class StorageUnavailableError extends PoglyticsError {
  readonly outage: StorageOutage;
  constructor(outage: StorageOutage, options: { cause?: unknown } = {}) {
    super(`${outage.store} unavailable (${outage.reason}): ${outage.message}`, { cause: options.cause, retriable: true });
    this.name = 'StorageUnavailableError';
    this.outage = outage;
  }
}
