import {
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import type { KinesisStreamRecord } from 'aws-lambda';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../core/log.ts';
import { ShardCheckpoints } from './shardCheckpoints.ts';
import {
  deliverBatch,
  toLambdaRecord,
  type EventSourceMappingSettings,
  type KinesisHandler,
  type OnFailure,
  type OutageObserver,
} from './kinesisEventSourceMapping.ts';

export interface KinesisPollerOptions {
  readonly client: KinesisClient;
  readonly streamName: string;
  readonly region: string;
  readonly handler: KinesisHandler;
  readonly onFailure: OnFailure;
  readonly settings: EventSourceMappingSettings;
  readonly logger: Logger;
  readonly idlePollMs?: number;
  /** Told when a batch waits for the sink or the dead letter to become writable again. */
  readonly outageObserver?: OutageObserver;
  /** How long `stop()` still waits for unwritable storage before leaving the records in the stream (default 10 s). */
  readonly stopOutageGraceMs?: number;
  /** A file for each shard's position (see ShardCheckpoints); without it every start reads from TRIM_HORIZON. */
  readonly checkpointPath?: string;
}

export interface PollerStats {
  records: number;
  batches: number;
  failedInvocations: number;
  discarded: number;
}

/**
 * Stands in for Lambda's Kinesis event source mapping in local runs: one loop per shard reads
 * from its checkpoint (else TRIM_HORIZON), forms batches (size or batching window, whichever comes first), and
 * delivers them with deliverBatch. `stop()` drains: it returns once every shard has been read to
 * its end and delivered.
 */
export class KinesisPoller {
  readonly stats: PollerStats = { records: 0, batches: 0, failedInvocations: 0, discarded: 0 };
  private stopping = false;
  private loops: Promise<void>[] = [];
  private readonly giveUp = new AbortController();
  private checkpoints: ShardCheckpoints | undefined;

  constructor(private readonly options: KinesisPollerOptions) {}

  async start(): Promise<void> {
    const { client, streamName } = this.options;
    if (this.options.checkpointPath) {
      const summary = await client.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
      const createdAt = summary.StreamDescriptionSummary?.StreamCreationTimestamp?.getTime() ?? 0;
      this.checkpoints = new ShardCheckpoints(this.options.checkpointPath, streamName, createdAt);
    }
    const shards = await client.send(new ListShardsCommand({ StreamName: streamName }));
    this.loops = (shards.Shards ?? []).map((shard) => this.pollShard(shard.ShardId!));
  }

  /** Stops after draining what is in the stream now. */
  async stop(): Promise<void> {
    this.stopping = true;
    // Draining waits for storage, but not forever: a shutdown with a full disk leaves the
    // unacknowledged records in the stream (nothing is checkpointed past them) and returns.
    const timer = setTimeout(() => this.giveUp.abort(), this.options.stopOutageGraceMs ?? 10_000);
    try {
      await Promise.all(this.loops);
    } finally {
      clearTimeout(timer);
    }
  }

  private async pollShard(shardId: string): Promise<void> {
    const { client, settings, region, logger } = this.options;
    const idlePollMs = this.options.idlePollMs ?? 200;
    let iterator = await this.firstIterator(shardId);
    let batch: KinesisStreamRecord[] = [];
    let batchStartedAt = 0;
    let lastRead: string | undefined;
    while (iterator) {
      let caughtUp = false;
      try {
        const response = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: settings.batchSize - batch.length }));
        iterator = response.NextShardIterator;
        const records = response.Records ?? [];
        if (records.length > 0 && batch.length === 0) batchStartedAt = Date.now();
        for (const record of records) batch.push(toLambdaRecord(shardId, record, region));
        lastRead = records.at(-1)?.SequenceNumber ?? lastRead;
        caughtUp = records.length === 0 && (response.MillisBehindLatest ?? 0) === 0;
      } catch (error) {
        if ((error as Error).name === 'ExpiredIteratorException') {
          // Iterators live 5 minutes; a long storage outage holds the loop longer than that.
          iterator = await this.iteratorAfter(shardId, lastRead).catch(() => iterator);
          continue;
        }
        logger.warn('kinesis GetRecords failed; retrying', { shardId, error });
        await sleep(idlePollMs);
        continue;
      }
      const windowElapsed = batch.length > 0 && Date.now() - batchStartedAt >= settings.maximumBatchingWindowMs;
      if (batch.length >= settings.batchSize || windowElapsed || (batch.length > 0 && caughtUp && this.stopping)) {
        let outcome: Awaited<ReturnType<typeof deliverBatch>> | undefined;
        while (!outcome) {
          try {
            outcome = await deliverBatch(batch, this.options.handler, this.options.onFailure, settings, {
              observer: this.options.outageObserver,
              signal: this.giveUp.signal,
            });
          } catch (error) {
            if (this.giveUp.signal.aborted) {
              logger.error('stopping while storage is unavailable: records left unacknowledged in the stream', {
                shardId,
                records: batch.length,
              });
              return;
            }
            // deliverBatch waits out storage outages itself; anything else must not end this shard's
            // loop (an unhandled rejection would stop consuming) nor skip the batch: try it again.
            logger.error('delivering a batch failed; retrying the same records', { shardId, records: batch.length, error });
            await sleep(idlePollMs);
          }
        }
        // Every record of the batch is stored or dead-lettered now: a restart starts after it.
        this.checkpoints?.set(shardId, batch.at(-1)!.kinesis.sequenceNumber);
        this.stats.records += batch.length;
        this.stats.batches++;
        this.stats.failedInvocations += outcome.failedInvocations;
        this.stats.discarded += outcome.discarded;
        batch = [];
        continue;
      }
      if (caughtUp) {
        if (this.stopping && batch.length === 0) return;
        await sleep(batch.length > 0 ? Math.min(idlePollMs, settings.maximumBatchingWindowMs) : idlePollMs);
      }
    }
  }

  private async iteratorAfter(shardId: string, sequenceNumber: string | undefined): Promise<string | undefined> {
    const { client, streamName } = this.options;
    if (!sequenceNumber) return this.firstIterator(shardId);
    return (
      await client.send(
        new GetShardIteratorCommand({
          StreamName: streamName,
          ShardId: shardId,
          ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
          StartingSequenceNumber: sequenceNumber,
        }),
      )
    ).ShardIterator;
  }

  private async firstIterator(shardId: string): Promise<string | undefined> {
    const { client, streamName, logger } = this.options;
    const after = this.checkpoints?.get(shardId);
    if (after) {
      try {
        const out = await client.send(
          new GetShardIteratorCommand({
            StreamName: streamName,
            ShardId: shardId,
            ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
            StartingSequenceNumber: after,
          }),
        );
        logger.info('resuming the shard after its checkpoint', { shardId, after });
        return out.ShardIterator;
      } catch (error) {
        logger.warn('checkpoint not usable; reading the shard from the start', { shardId, after, error });
      }
    }
    return (await client.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' })))
      .ShardIterator;
  }
}
