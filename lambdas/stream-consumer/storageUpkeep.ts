import type { DocumentStore } from '../../core/control/documentStores.ts';
import type { DeadLetterStore } from '../../core/deadletter/deadLetterStore.ts';
import type { Logger } from '../../core/log.ts';
import type { OptOutAuditLog } from '../../core/optout/optOutAudit.ts';
import type { OptOuts } from '../../core/optout/optOuts.ts';
import { sweepIntervalMs, sweepOptOuts } from '../../core/optout/sweepOptOuts.ts';
import { retentionCutoff, type Retention } from '../../core/sinks/retention.ts';
import type { Sink } from '../../core/sinks/types.ts';

/** How often a warm consumer container runs the upkeep (opt-out deletions, retention): every 5 minutes, sooner for a short OPTOUT_DELETE_MINUTES. */
const UPKEEP_EVERY_MS = sweepIntervalMs(process.env, 5 * 60_000);
let lastUpkeep = 0;

/**
 * The opt-out sweep and retention on AWS, run by the consumer Lambda itself at most every five
 * minutes per warm container, after its batch is stored (concurrent containers may both run it:
 * both steps are idempotent). OPTOUT_DELETE_MINUTES (60) leaves room for many runs. A failure is
 * logged and retried next time; it never fails the batch.
 */
export async function storageUpkeep(deps: {
  sink: Sink;
  optOuts: DocumentStore<OptOuts> | undefined;
  audit?: OptOutAuditLog | undefined;
  retention: Retention;
  deadLetters: readonly DeadLetterStore[];
  logger: Logger;
  now?: number;
}): Promise<void> {
  const now = deps.now ?? Date.now();
  if (now - lastUpkeep < UPKEEP_EVERY_MS) return;
  lastUpkeep = now;
  try {
    if (deps.optOuts)
      await sweepOptOuts({
        store: deps.optOuts,
        sink: deps.sink,
        deadLetters: deps.deadLetters,
        settleMs: 60_000,
        log: deps.logger,
        ...(deps.audit ? { audit: deps.audit } : {}),
      });
    const cutoff = retentionCutoff(deps.retention, now);
    if (cutoff !== null && deps.sink.applyRetention) await deps.sink.applyRetention(cutoff);
  } catch (error) {
    deps.logger.error('storage upkeep failed; retrying on a later invocation', { error });
  }
}
