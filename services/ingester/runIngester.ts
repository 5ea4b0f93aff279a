import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { awsClientConfig } from '../../core/aws/clientConfig.ts';
import { readLeases } from '../../core/control/leaseStore.ts';
import { ShardLease } from '../../core/control/shardLease.ts';
import { writeCompactChatEvent } from '../../core/events/compactChatEvent.ts';
import { DiskJournal } from '../../core/kinesis/diskJournal.ts';
import { KinesisProducer, type ProducerStats } from '../../core/kinesis/kinesisProducer.ts';
import { createLogger, type Logger } from '../../core/log.ts';
import { createIngesterMetrics, type IngesterMetrics } from '../../core/metrics.ts';
import { normalizeLine } from '../../core/irc/normalizeLine.ts';
import { REPLICA_SKEW_MARGIN_MS, REPLICA_WINDOW_MS } from '../../core/irc/eventId.ts';
import type { OptOutMatcher } from '../../core/optout/optOutMatcher.ts';
import { optOutRewriter } from '../../core/optout/optOutRewriter.ts';
import { dynamoOptOutStore, fileOptOutStore } from '../../core/optout/optOutStores.ts';
import { IngesterOptOuts } from './ingesterOptOuts.ts';
import { createLineCapture } from './captureLine.ts';
import type { ConnectionPool } from './connectionPool.ts';
import { DeadLetterJournal } from './deadLetterJournal.ts';
import { HeldJournal } from './heldJournal.ts';
import { replayHeldEvents } from './replayHeldEvents.ts';
import type { IngesterConfig } from './loadIngesterConfig.ts';
import { TaskSlots } from './taskSlots.ts';
import { startMetricsServer, type MetricsServer } from '../../core/startMetricsServer.ts';

export interface IngesterDeps {
  readonly kinesis?: KinesisClient;
  readonly dynamo?: DynamoDBClient;
  readonly metrics?: IngesterMetrics;
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
  /** The first slot's lease (the only one unless SLOTS_PER_TASK > 1). */
  readonly lease: ShardLease;
  /** One lease per slot (SLOTS_PER_TASK; one when pinned with SHARD_ID). */
  readonly leases: readonly ShardLease[];
  readonly producer: KinesisProducer;
  /** The pool serving the first slot that serves one, if any. */
  readonly pool: ConnectionPool | undefined;
  /** The pools of the slots serving now, in slot order. */
  readonly pools: readonly ConnectionPool[];
  readonly eventsReceived: number;
  /** Received id-less events not yet handed to the producer: waiting (at most 5 s) for their channel's next timestamped line. */
  readonly eventsHeld: number;
  /** Resolves with the shard id once a lease is held (the first one, with several slots). */
  whenLeased(): Promise<number>;
  shutdown(reason: string): Promise<ShutdownReport>;
}

/**
 * Wires one ingester task: lease a shard (waiting as a standby until one is free), follow its
 * assignment with a connection pool, capture every line into the Kinesis producer. With
 * SLOTS_PER_TASK > 1 the task does this for up to that many slots at once, each with its own lease
 * and session, all sharing the capture, producer, journals and metrics; a slot never claims a shard
 * another slot of the task serves. Losing a lease stops reading that shard at once (everything
 * already captured is still delivered) and that slot goes back to standby. `shutdown` is the one
 * ordered exit: stop reading, hand on the id-less lines the capture still holds, flush to Kinesis
 * or the journal, release the leases, close the metrics server — within the deadline.
 */
export async function runIngester(config: IngesterConfig, deps: IngesterDeps = {}): Promise<Ingester> {
  const logger = deps.logger ?? createLogger(config.logLevel, { service: 'ingester', task: config.taskId });
  const metrics = deps.metrics ?? createIngesterMetrics();
  // The producer does its own retries (only failed entries, with pacing): no SDK retries on top.
  const kinesis =
    deps.kinesis ??
    new KinesisClient({
      ...awsClientConfig({ region: config.awsRegion, endpoint: config.kinesisEndpointUrl, staticCredentials: config.awsStaticCredentials }),
      maxAttempts: 1,
    });
  const dynamo =
    deps.dynamo ??
    new DynamoDBClient(
      awsClientConfig({ region: config.awsRegion, endpoint: config.dynamoEndpointUrl, staticCredentials: config.awsStaticCredentials }),
    );

  const journal = new DiskJournal({ dir: config.journalDir, maxBytes: config.journalMaxBytes });
  if (!journal.isEmpty)
    logger.info('journal has records from an earlier run; draining them first', { records: journal.records, events: journal.events });
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
  // Lines held for their id are in memory only: kept on disk too, under the slot of the session
  // that read them (each session's pool captures through capture.forSlot).
  const heldJournal = new HeldJournal({
    dir: config.journalDir,
    slot: () => capture.readingSlot,
    keepReleasedMs: config.spillAfterMs + config.flushMs + 1000,
    logger,
    onError: () => metrics.heldJournalErrors.inc(),
  });
  const deadLetter = new DeadLetterJournal(config.deadLetterDir, undefined, logger);
  // Opt-outs (issue 18): left out before anything is journaled, and purged from the journals when the list names someone new.
  const purge = async (who: OptOutMatcher) => {
    const deadLetters = deadLetter.purge((raw) => who.line(raw));
    const held = heldJournal.purge(({ raw, receivedAt }) => {
      const result = normalizeLine(raw, receivedAt);
      return result.type === 'event' ? who.event(result.event) : who.line(raw);
    });
    const records = await producer.rewriteRecords(optOutRewriter(who));
    logger.info('opt-out purge of the journals', { deadLetters, held, ...records });
  };
  const optOuts = new IngesterOptOuts({
    store: config.optOutsFile ? fileOptOutStore(config.optOutsFile) : dynamoOptOutStore(dynamo, config.controlTableName),
    pollMs: config.optOutPollMs,
    purge,
    onDropped: (n) => metrics.optOutDropped.inc({ stage: 'ingester' }, n),
    logger,
  });
  deadLetter.leaveOut = (raw) => !optOuts.current.empty && optOuts.current.line(raw);
  const capture = createLineCapture({
    onEvent: (event, lineUtf8) => {
      if (!optOuts.drops(event)) producer.addUtf8(writeCompactChatEvent(event, lineUtf8 ?? Buffer.from(event.raw)));
    },
    deadLetter,
    metrics,
    logger,
    maxHoldMs: idHoldMs(config),
    boundMarginMs: config.captureReplicas >= 2 ? REPLICA_SKEW_MARGIN_MS : 0,
    orphans: config.captureReplicas >= 2,
    releaseHeldNow: () => config.captureReplicas < 2 && producer.streamFailing,
    holdJournal: heldJournal,
  });
  let maxGapS = 0;
  const onCaptureGap = (seconds: number) => {
    metrics.captureGap.observe(seconds);
    maxGapS = Math.max(maxGapS, seconds);
    metrics.captureGapMax.set(maxGapS);
  };
  // The task's slots (SLOTS_PER_TASK): a lease and, while it holds one, a session each.
  const slots = new TaskSlots({ config, dynamo, capture, metrics, logger, onCaptureGap });

  const publish = () => {
    capture.publish();
    slots.publish();
  };
  const publishTimer = setInterval(publish, 1000);
  publishTimer.unref();

  const metricsServer = await startMetricsServer({
    port: config.metricsPort,
    host: config.metricsHost,
    registry: metrics.registry,
    beforeScrape: publish,
    readiness: () => slots.readiness(),
  });

  // The list before anything is replayed or read; the journals of an earlier run are purged meanwhile.
  await optOuts.filterNow();
  // What a killed predecessor on this disk held and never sent, before anything new is read.
  await replayHeldEvents({
    keep: (event) => !optOuts.drops(event),
    journal: heldJournal,
    producer,
    readLeases: (shardIds) => readLeases({ client: dynamo, tableName: config.controlTableName }, shardIds, config.captureReplicas),
    durableAfterMs: config.spillAfterMs + config.flushMs + 1000,
    fallbackWindowMs: idHoldMs(config),
    orphans: config.captureReplicas >= 2,
    metrics,
    logger,
  });
  slots.start();

  let shutdownPromise: Promise<ShutdownReport> | undefined;
  const shutdown = (reason: string) =>
    (shutdownPromise ??= (async () => {
      const started = Date.now();
      const deadlineAt = started + config.shutdownDeadlineMs;
      logger.info('shutting down', { reason, deadlineMs: config.shutdownDeadlineMs });
      // The sessions leave their channels, capturing what Twitch already sent, before the producer closes.
      await slots.stop();
      await optOuts.stop();
      // Nothing reads any more: id-less lines still waiting for their channel's next line go now.
      capture.drain();
      publish();
      const reserveMs = Math.min(2000, Math.floor(config.shutdownDeadlineMs / 5));
      const stats = await producer.close(deadlineAt - reserveMs);
      // What was released is in the stream or the record journal now: nothing to send again.
      heldJournal.close({ delivered: true });
      const leaseReleased = await slots.release();
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

  const leases = slots.leases;
  return {
    metricsServer,
    lease: leases[0]!,
    leases,
    producer,
    get pool() {
      return slots.pools[0];
    },
    get pools() {
      return slots.pools;
    },
    get eventsReceived() {
      return capture.totals.events;
    },
    get eventsHeld() {
      return capture.heldCount();
    },
    whenLeased: () => slots.whenLeased(),
    shutdown,
  };
}

/**
 * How long an id-less line waits for its channel's next timestamped line (captureLine). The hold
 * exists so that replicas agree on its id. A held line is also in the hold journal (heldJournal.ts),
 * which the next process on the disk replays after a kill -9: a sibling that read it too is left
 * to send it, otherwise the replay does (replayHeldEvents.ts). With one replica there is nobody to
 * agree with, so it waits no longer than a record may wait for Kinesis. With two or more a long
 * hold (120 s) makes a fallback id, where replicas may disagree, rare; for the same reason they
 * keep holding while the stream fails (a slow put must not split ids).
 */
export function idHoldMs(config: Pick<IngesterConfig, 'captureReplicas' | 'spillAfterMs'>): number {
  return config.captureReplicas >= 2 ? REPLICA_WINDOW_MS : config.spillAfterMs;
}
