import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { lambdaRecordInput } from '../../core/consumer/lambdaRecordInput.ts';
import { emfConsumerMetrics } from '../../core/consumer/emfConsumerMetrics.ts';
import { processUntilStored } from '../../core/consumer/processUntilStored.ts';
import type { ConsumerDeps } from '../../core/consumer/types.ts';
import { createDeadLetterFromEnv, deadLetterStoresFromEnv } from '../../core/deadletter/createDeadLetterFromEnv.ts';
import { readLogLevel } from '../../core/config.ts';
import { createLogger } from '../../core/log.ts';
import { createSinkFromEnv } from '../../core/sinks/createSink.ts';
import type { DocumentStore } from '../../core/control/documentStores.ts';
import type { OptOutAuditLog } from '../../core/optout/optOutAudit.ts';
import type { OptOuts } from '../../core/optout/optOuts.ts';
import { loadRetention, type Retention } from '../../core/sinks/retention.ts';
import { optOutGateFromEnv } from './optOutGateFromEnv.ts';
import { storageUpkeep } from './storageUpkeep.ts';

const logger = createLogger(readLogLevel(process.env), { service: 'stream-consumer' });

/**
 * Sink, dead letter and metrics live at module scope so warm invocations reuse the database
 * connection. They are created on first use (not at import) so a cold start that cannot read a
 * secret fails the invocation — and is retried — instead of poisoning the container.
 */
type Deps = ConsumerDeps & { optOutStore?: DocumentStore<OptOuts>; optOutAudit?: OptOutAuditLog; retention: Retention };
let deps: Promise<Deps> | undefined;
function consumerDeps(): Promise<Deps> {
  deps ??= (async (): Promise<Deps> => ({
    sink: await createSinkFromEnv(process.env),
    deadLetter: createDeadLetterFromEnv(process.env),
    metrics: emfConsumerMetrics({ onLambda: Boolean(process.env.AWS_LAMBDA_FUNCTION_NAME) }),
    ...optOutGateFromEnv(process.env, logger),
    retention: loadRetention(process.env),
    logger,
  }))().catch((error: unknown) => {
    deps = undefined;
    throw error;
  });
  return deps;
}

/**
 * A sink or dead-letter outage (disk full, database down, S3 refusing) is retried inside the
 * invocation while time remains; what is still unstored is then reported as batch item failures,
 * never acknowledged. Records that still exhaust the mapping's retries land in the S3 on-failure
 * destination, which `poglytics redrive --bucket` stores once the cause is fixed.
 */
export async function handler(
  event: KinesisStreamEvent,
  context?: Pick<Context, 'getRemainingTimeInMillis'>,
): Promise<KinesisStreamBatchResponse> {
  const ready = await consumerDeps();
  const outcome = await processUntilStored(event.Records.map(lambdaRecordInput), ready, {
    remainingMs: () => context?.getRemainingTimeInMillis() ?? 0,
  });
  logger.info('batch processed', {
    records: outcome.records,
    events: outcome.events,
    inserted: outcome.inserted,
    duplicates: outcome.duplicates,
    deadLettered: outcome.deadLettered,
    failedRecords: outcome.failedRecords,
    ...(outcome.outage ? { outage: outcome.outage.reason, store: outcome.outage.store } : {}),
  });
  if (!outcome.outage)
    await storageUpkeep({
      sink: ready.sink,
      optOuts: ready.optOutStore,
      audit: ready.optOutAudit,
      retention: ready.retention,
      deadLetters: deadLetterStoresFromEnv(process.env),
      logger,
    });
  return { batchItemFailures: outcome.batchItemFailures };
}
