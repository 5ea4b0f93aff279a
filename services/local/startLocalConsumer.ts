import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { KinesisStreamEvent } from 'aws-lambda';
import { join } from 'node:path';
import { StorageUnavailableError } from '../../core/consumer/errors.ts';
import { lambdaRecordInput } from '../../core/consumer/lambdaRecordInput.ts';
import { processKinesisBatch } from '../../core/consumer/processKinesisBatch.ts';
import { prometheusConsumerMetrics } from '../../core/consumer/prometheusConsumerMetrics.ts';
import { directoryDeadLetter } from '../../core/deadletter/directoryDeadLetter.ts';
import type { DeadLetterWriter } from '../../core/deadletter/types.ts';
import type { Logger } from '../../core/log.ts';
import type { PipelineMetrics } from '../../core/metrics.ts';
import { OptOutGate } from '../../core/optout/optOutGate.ts';
import { fileOptOutStore, optOutsPath } from '../../core/optout/optOutStores.ts';
import type { Sink } from '../../core/sinks/types.ts';
import { consumerOutageObserver } from './consumerOutageObserver.ts';
import { DEFAULT_ESM_SETTINGS, type EventSourceMappingSettings } from './kinesisEventSourceMapping.ts';
import { KinesisPoller } from './kinesisPoller.ts';
import { onFailureToDeadLetter } from './onFailureToDeadLetter.ts';

export interface LocalConsumerOptions {
  readonly kinesis: KinesisClient;
  readonly streamName: string;
  readonly region: string;
  readonly sink: Sink;
  readonly dataDir: string;
  readonly metrics: PipelineMetrics;
  readonly logger: Logger;
  readonly esm?: Partial<EventSourceMappingSettings> | undefined;
}

/**
 * The stream consumer as Lambda runs it, fed by a poller with event source mapping semantics:
 * the same record adapter and batch logic as lambdas/stream-consumer, dead letters in a folder.
 */
export async function startLocalConsumer(options: LocalConsumerOptions): Promise<{ poller: KinesisPoller; deadLetter: DeadLetterWriter }> {
  const { sink, metrics, logger } = options;
  const deadLetter = directoryDeadLetter(join(options.dataDir, 'dead-letter'));
  const consumerMetrics = prometheusConsumerMetrics(metrics);
  const optOuts = new OptOutGate(fileOptOutStore(optOutsPath(options.dataDir)), { logger });
  const poller = new KinesisPoller({
    client: options.kinesis,
    streamName: options.streamName,
    region: options.region,
    // Resume after the last stored record when the stream outlives a restart (the emulator's data folder).
    checkpointPath: join(options.dataDir, 'consumer-checkpoints.json'),
    settings: { ...DEFAULT_ESM_SETTINGS, ...options.esm },
    logger,
    handler: async (event: KinesisStreamEvent) => {
      const outcome = await processKinesisBatch(event.Records.map(lambdaRecordInput), {
        sink,
        deadLetter,
        metrics: consumerMetrics,
        optOuts,
        logger,
      });
      // A store that cannot be written is waited out by the poller (same records, backoff), never given up on.
      if (outcome.outage) throw new StorageUnavailableError(outcome.outage);
      return { batchItemFailures: outcome.batchItemFailures };
    },
    onFailure: onFailureToDeadLetter(deadLetter, {
      logger,
      counted: (events) => metrics.deadLetters.inc({ source: 'kinesis-on-failure' }, events),
    }),
    outageObserver: consumerOutageObserver(metrics, logger),
  });
  await poller.start();
  return { poller, deadLetter };
}
