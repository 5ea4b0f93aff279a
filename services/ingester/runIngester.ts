import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { awsClientConfig } from '../../core/aws/clientConfig.ts';
import { AssignmentWatch } from '../../core/control/assignmentWatch.ts';
import { ShardLease } from '../../core/control/shardLease.ts';
import { serializeNormalizedUtf8 } from '../../core/irc/serializeNormalized.ts';
import { DiskJournal } from '../../core/kinesis/diskJournal.ts';
import { KinesisProducer, type ProducerStats } from '../../core/kinesis/kinesisProducer.ts';
import { createLogger, type Logger } from '../../core/log.ts';
import { createMetrics, type Metrics } from '../../core/metrics.ts';
import { createLineCapture } from './captureLine.ts';
import { ConnectionPool } from './connectionPool.ts';
import { DeadLetterJournal } from './deadLetterJournal.ts';
import type { IngesterConfig } from './loadIngesterConfig.ts';
import { startMetricsServer, type MetricsServer } from './startMetricsServer.ts';

export interface IngesterDeps {
  readonly kinesis?: KinesisClient;
  readonly dynamo?: DynamoDBClient;
  readonly metrics?: Metrics;
  readonly logger?: Logger;
}

export interface ShutdownReport extends ProducerStats {
  readonly reason: string;
  readonly eventsReceived: number;
  readonly parseRejects: number;
  readonly leaseReleased: boolean;
  readonly elapsedMs: number;
}

export interface Ingester {
  readonly metricsServer: MetricsServer;
  readonly lease: ShardLease;
  readonly producer: KinesisProducer;
  /** The pool serving the current lease, if any. */
  readonly pool: ConnectionPool | undefined;
  readonly eventsReceived: number;
  /** Resolves with the shard id once a lease is held. */
  whenLeased(): Promise<number>;
  shutdown(reason: string): Promise<ShutdownReport>;
}

/**
 * Wires one ingester task: lease a shard (waiting as a standby until one is free), follow its
 * assignment with a connection pool, capture every line into the Kinesis producer. Losing the
 * lease stops reading that shard at once (everything already captured is still delivered) and
 * the task goes back to standby. `shutdown` is the one ordered exit: stop reading, flush to
 * Kinesis or the journal, release the lease, close the metrics server — within the deadline.
 */
export async function runIngester(config: IngesterConfig, deps: IngesterDeps = {}): Promise<Ingester> {
  const logger = deps.logger ?? createLogger(config.logLevel, { service: 'ingester', task: config.taskId });
  const metrics = deps.metrics ?? createMetrics();
  // The producer does its own retries (only failed entries, with pacing): no SDK retries on top.
  const kinesis = deps.kinesis ?? new KinesisClient({ ...awsClientConfig({ region: config.awsRegion, endpoint: config.kinesisEndpointUrl }), maxAttempts: 1 });
  const dynamo = deps.dynamo ?? new DynamoDBClient(awsClientConfig({ region: config.awsRegion, endpoint: config.dynamoEndpointUrl }));

  const journal = new DiskJournal({ dir: config.journalDir, maxBytes: config.journalMaxBytes });
  if (!journal.isEmpty) logger.info('journal has records from an earlier run; draining them first', { records: journal.records, events: journal.events });
  const producer = new KinesisProducer({
    client: kinesis,
    streamName: config.kinesisStreamName,
    flushMs: config.flushMs,
    spillAfterMs: config.spillAfterMs,
    maxBufferBytes: config.bufferMaxBytes,
    encoder: { compression: config.recordCompression },
    journal,
    metrics,
    logger,
  });
  const capture = createLineCapture({ onEvent: (event, lineUtf8) => producer.addUtf8(serializeNormalizedUtf8(event, lineUtf8 ?? Buffer.from(event.raw))), deadLetter: new DeadLetterJournal(config.deadLetterDir), metrics, logger });
  const lease = new ShardLease({
    client: dynamo,
    tableName: config.controlTableName,
    owner: config.taskId,
    leaseMs: config.leaseMs,
    renewMs: config.leaseRenewMs,
    pollMs: config.leasePollMs,
    ...(config.shardId !== undefined ? { shardId: config.shardId } : {}),
    logger,
    metrics,
  });

  let pool: ConnectionPool | undefined;
  let watch: AssignmentWatch | undefined;
  let stopping = false;
  const abort = new AbortController();
  const leasedWaiters: ((shardId: number) => void)[] = [];
  let endShard: (() => void) | undefined;

  const publish = () => {
    capture.publish();
    pool?.publish();
  };
  const publishTimer = setInterval(publish, 1000);
  publishTimer.unref();

  const metricsServer = await startMetricsServer({
    port: config.metricsPort,
    registry: metrics.registry,
    beforeScrape: publish,
    readiness: () => ({
      ready: lease.held && pool !== undefined && pool.allUp && !stopping,
      detail: { shard: lease.shardId ?? null, connections: pool?.size ?? 0, joined: pool?.joined ?? 0 },
    }),
  });

  const stopShard = async (options: { drain?: boolean } = {}) => {
    watch?.stop();
    watch = undefined;
    const current = pool;
    pool = undefined;
    await current?.stop(options);
  };

  lease.onLost((shardId, reason) => {
    logger.warn('stopped reading the shard: lease lost', { shardId, reason });
    endShard?.();
  });
  // A shard the refresher retired (index >= shardCount): leave it in order, give the lease back
  // and return to standby, so the task can serve a shard that exists.
  let retiring = false;
  lease.onRetired((shardId, shardCount) => {
    logger.info('shard retired by the refresher; returning to standby', { shardId, shardCount });
    retiring = true;
    endShard?.();
  });

  const serve = async () => {
    while (!stopping) {
      let shardId: number;
      try {
        shardId = await lease.acquire(abort.signal);
      } catch (error) {
        if (abort.signal.aborted) return;
        // DynamoDB unreachable or throttling: say so, count it, and keep trying as a standby would.
        logger.error('could not claim a shard lease; retrying', { error: error as Error });
        metrics.leaseErrors.inc();
        await sleep(config.leasePollMs, undefined, { signal: abort.signal }).catch(() => undefined);
        continue;
      }
      const ended = new Promise<void>((resolve) => (endShard = resolve));
      pool = new ConnectionPool({
        ...config.irc,
        channelsPerConnection: config.channelsPerConnection,
        capture,
        metrics,
        logger,
      });
      const current = pool;
      watch = new AssignmentWatch({
        client: dynamo,
        tableName: config.controlTableName,
        shardId,
        pollMs: config.assignmentPollMs,
        logger,
        onChange: (change) => {
          logger.info('assignment changed', { shardId, epoch: change.epoch, channels: change.channels.length, joins: change.joins.length, parts: change.parts.length });
          current.apply(change);
        },
      });
      for (const resolve of leasedWaiters.splice(0)) resolve(shardId);
      await watch.start();
      await ended;
      const retired = retiring && !stopping;
      retiring = false;
      await stopShard({ drain: retired });
      if (retired && lease.shardId === shardId) {
        try {
          await lease.release();
        } catch (error) {
          logger.warn('releasing the retired shard failed; it will expire', { shardId, error: error as Error });
        }
      }
    }
  };
  const serving = serve();

  let shutdownPromise: Promise<ShutdownReport> | undefined;
  const shutdown = (reason: string) =>
    (shutdownPromise ??= (async () => {
      const started = Date.now();
      const deadlineAt = started + config.shutdownDeadlineMs;
      logger.info('shutting down', { reason, deadlineMs: config.shutdownDeadlineMs });
      stopping = true;
      abort.abort();
      // Leave the channels and capture what Twitch already sent before the producer closes.
      await stopShard({ drain: true });
      endShard?.();
      await serving;
      publish();
      const reserveMs = Math.min(2000, Math.floor(config.shutdownDeadlineMs / 5));
      const stats = await producer.close(deadlineAt - reserveMs);
      let leaseReleased = false;
      try {
        await lease.release();
        leaseReleased = true;
      } catch (error) {
        logger.error('lease release failed; it will expire', { error: error as Error });
      }
      clearInterval(publishTimer);
      await metricsServer.close();
      if (!deps.kinesis) kinesis.destroy();
      if (!deps.dynamo) dynamo.destroy();
      const report: ShutdownReport = {
        ...stats,
        reason,
        eventsReceived: capture.totals.events,
        parseRejects: capture.totals.rejects,
        leaseReleased,
        elapsedMs: Date.now() - started,
      };
      logger.info('shutdown complete', { ...report });
      return report;
    })());

  return {
    metricsServer,
    lease,
    producer,
    get pool() {
      return pool;
    },
    get eventsReceived() {
      return capture.totals.events;
    },
    whenLeased: () => (lease.held ? Promise.resolve(lease.shardId!) : new Promise((resolve) => leasedWaiters.push(resolve))),
    shutdown,
  };
}
