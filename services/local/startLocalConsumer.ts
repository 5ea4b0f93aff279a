import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { join } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { StorageUnavailableError } from '../../core/consumer/errors.ts';
import { lambdaRecordInput } from '../../core/consumer/lambdaRecordInput.ts';
import { processKinesisBatch } from '../../core/consumer/processKinesisBatch.ts';
import type { ConsumerDeps, KinesisRecordInput } from '../../core/consumer/types.ts';
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
    handler: (event: KinesisStreamEvent) =>
      processInSlices(event.Records.map(lambdaRecordInput), { sink, deadLetter, metrics: consumerMetrics, optOuts, logger }),
    onFailure: onFailureToDeadLetter(deadLetter, {
      logger,
      counted: (events) => metrics.deadLetters.inc({ source: 'kinesis-on-failure' }, events),
    }),
    outageObserver: consumerOutageObserver(metrics, logger),
  });
  await poller.start();
  return { poller, deadLetter };
}

/**
 * Kinesis records per synchronous slice of a batch. Decoding, parsing and the SQLite write of a
 * slice run without yielding (better-sqlite3 is synchronous), and this process also hosts the
 * emulators, the refresher and the metrics server: a whole batch of 100 records of ingester
 * output is 10,000-100,000 events, seconds of blocked event loop, during which every emulator
 * call of the ingesters and every Helix page of the refresher waits (the scale bench's refresh
 * walks 1,000 pages one after the other and never finished). One record is at most a few
 * thousand events.
 */
export const RECORDS_PER_SLICE = 1;

/**
 * The consumer handler of the local pipeline: processKinesisBatch over slices of the batch, the
 * event loop served between them. The same answer as one call: the first slice with failures
 * ends the batch (the poller resumes from its lowest failed record, so the later slices are
 * redelivered), an outage throws StorageUnavailableError (the poller retries the batch; the
 * slices already stored come back as duplicates, which every sink ignores).
 */
export async function processInSlices(
  records: readonly KinesisRecordInput[],
  deps: ConsumerDeps,
  recordsPerSlice = RECORDS_PER_SLICE,
): Promise<KinesisStreamBatchResponse> {
  for (let start = 0; start < records.length; start += recordsPerSlice) {
    if (start > 0) await yieldToEventLoop();
    const outcome = await processKinesisBatch(records.slice(start, start + recordsPerSlice), deps);
    // A store that cannot be written is waited out by the poller (same records, backoff), never given up on.
    if (outcome.outage) throw new StorageUnavailableError(outcome.outage);
    if (outcome.batchItemFailures.length > 0) return { batchItemFailures: outcome.batchItemFailures };
  }
  return { batchItemFailures: [] };
}
