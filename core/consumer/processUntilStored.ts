import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay } from '../retry.ts';
import { processKinesisBatch } from './processKinesisBatch.ts';
import type { BatchOutcome, ConsumerDeps, KinesisRecordInput } from './types.ts';

export interface ProcessUntilStoredOptions {
  /** Time (ms, remaining in this invocation) below which no further retry is started. */
  readonly remainingMs: () => number;
  /** Reserve kept for one more attempt and the response (default 15 s). */
  readonly reserveMs?: number;
  readonly baseMs?: number;
  readonly maxMs?: number;
}

/**
 * The Lambda side of "wait out a storage outage": while the sink or the dead letter refuses writes
 * (outcome.outage), retry the same records inside this invocation with capped exponential backoff,
 * as long as the invocation has time left. Each event source mapping retry then covers minutes of
 * outage instead of a second, so MaximumRetryAttempts is not spent in a burst and records do not
 * reach the on-failure destination while the database is merely down. When time runs out the last
 * outcome is returned and its batch item failures make Lambda retry from the first unstored record.
 */
export async function processUntilStored(
  records: readonly KinesisRecordInput[],
  deps: ConsumerDeps,
  options: ProcessUntilStoredOptions,
): Promise<BatchOutcome> {
  const reserveMs = options.reserveMs ?? 15_000;
  for (let retry = 0; ; retry++) {
    const outcome = await processKinesisBatch(records, deps);
    if (!outcome.outage) return outcome;
    const delayMs = 500 + backoffDelay(retry, { baseMs: options.baseMs ?? 1000, maxMs: options.maxMs ?? 20_000 });
    if (options.remainingMs() - delayMs < reserveMs) return outcome;
    deps.logger?.warn(`storage unavailable (${outcome.outage.reason}); retrying the batch in this invocation`, {
      store: outcome.outage.store,
      error: outcome.outage.message,
      retry,
      delayMs,
    });
    await sleep(delayMs);
  }
}
