import { FileOptOutAuditLog, optOutAuditPath } from '../../core/optout/optOutAudit.ts';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { FileChannelOverrideStore, channelOverridesPath } from '../../core/control/documentStores.ts';
import { fileOptOutStore, optOutsPath } from '../../core/optout/optOutStores.ts';
import { startOptOutSweeper } from '../../core/optout/startOptOutSweeper.ts';
import { REDRIVEN_FOLDER, directoryDeadLetterStore } from '../../core/deadletter/deadLetterStore.ts';
import type { Retention } from '../../core/sinks/retention.ts';
import type { SweepResult } from '../../core/optout/sweepOptOuts.ts';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { awsClientConfig } from '../../core/aws/clientConfig.ts';
import { createRefresher } from '../../core/control/createRefresher.ts';
import { expireLeasesOf } from '../../core/control/expireLeasesOf.ts';
import type { RefresherConfig } from '../../core/control/loadRefresherConfig.ts';
import type { RefreshReport } from '../../core/control/refreshChannels.ts';
import { CallbackScaler } from '../../core/control/scaler.ts';
import type { Logger } from '../../core/log.ts';
import { createPipelineMetrics, type PipelineMetrics } from '../../core/metrics.ts';
import { startMetricsServer, type MetricsServer } from '../../core/startMetricsServer.ts';
import type { Sink } from '../../core/sinks/types.ts';
import type { AppCredentials } from '../../core/twitch/appToken.ts';
import { ensureControlTable, ensureStream } from './ensureResources.ts';
import type { EventSourceMappingSettings } from './kinesisEventSourceMapping.ts';
import { KinesisPoller } from './kinesisPoller.ts';
import { createStatusReader, type LocalStatus } from './readLocalStatus.ts';
import { startRefresherLoop } from './refresherLoop.ts';
import { startEmulators, type LocalEmulators } from './startEmulators.ts';
import { startLocalConsumer } from './startLocalConsumer.ts';
import { Supervisor } from './supervisor.ts';

const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/**
 * In the pipeline image this module is part of dist/poglytics.mjs and the ingester's own bundle
 * sits beside it (Dockerfile): run that, not TypeScript through tsx. From a clone, run the source.
 */
const BUNDLED_INGESTER = fileURLToPath(new URL('./ingester.mjs', import.meta.url));
const INGESTER_COMMAND: { readonly command: readonly [string, ...string[]]; readonly cwd: string } = existsSync(BUNDLED_INGESTER)
  ? { command: [process.execPath, '--enable-source-maps', BUNDLED_INGESTER], cwd: process.cwd() }
  : { command: [process.execPath, '--import', 'tsx', join(REPO_ROOT, 'services/ingester/main.ts')], cwd: REPO_ROOT };

export type { LocalStatus } from './readLocalStatus.ts';

export const LocalComponent = { Refresher: 'refresher', Ingesters: 'ingesters', Consumer: 'consumer' } as const;
export type LocalComponent = (typeof LocalComponent)[keyof typeof LocalComponent];
export const ALL_COMPONENTS: readonly LocalComponent[] = Object.values(LocalComponent);

export interface TwitchEndpoints {
  readonly ircUrl: string;
  readonly helixUrl: string;
  readonly authUrl: string;
  readonly credentials: AppCredentials | null;
}

export interface LocalPipelineOptions {
  readonly config: RefresherConfig;
  readonly components: readonly LocalComponent[];
  readonly twitch: TwitchEndpoints;
  readonly sink: Sink | null;
  readonly dataDir: string;
  readonly logger: Logger;
  readonly refreshIntervalMs: number;
  readonly kinesisShards: number;
  readonly esm?: Partial<EventSourceMappingSettings>;
  /** Extra environment for ingester processes (tests raise join budgets, shorten leases). */
  readonly ingesterEnv?: NodeJS.ProcessEnv;
  /** Port for this process's /metrics; 0 picks a free one; null serves none. */
  readonly metricsPort: number | null;
  /** METRICS_HOST: where that server listens (loopback locally, 0.0.0.0 in a container). */
  readonly metricsHost: string;
  readonly onIngesterOutput?: (index: number, line: string) => void;
  /** An ingester exited because it cannot start as configured: called with its one-line message instead of replacing it. */
  readonly onIngesterFatal?: (index: number, message: string) => void;
  /** How often the consumer deletes what opted-out users and channels left stored, and applies retention (default 60 s). */
  readonly optOutSweepMs?: number;
  /** RETENTION_DAYS, SNAPSHOT_RETENTION_DAYS (default: keep everything). */
  readonly retention?: Retention;
  /** argv and cwd of one ingester process (default: the bundle beside this module, else the source through tsx). */
  readonly ingesterCommand?: { readonly command: readonly [string, ...string[]]; readonly cwd: string };
}

export interface LocalPipeline {
  readonly endpoint: string;
  readonly metricsUrl: string | null;
  /** The bound address of the metrics server (null when none is served). */
  readonly metricsServer: MetricsServer | null;
  readonly supervisor: Supervisor | null;
  readonly metrics: PipelineMetrics;
  refreshNow(): Promise<RefreshReport>;
  /** Runs the opt-out deletion sweep now (it also runs every optOutSweepMs); null without a consumer. */
  sweepOptOutsNow(): Promise<SweepResult> | null;
  status(): Promise<LocalStatus>;
  /** Orderly stop: refresher, ingesters (they flush to Kinesis), then the consumer drains the stream. */
  stop(): Promise<LocalStatus>;
}

/**
 * The whole pipeline in one process tree (ARCHITECTURE.md, "Locally"): emulators (unless
 * AWS_ENDPOINT_URL points elsewhere), the refresher on a timer, a supervisor running as many
 * ingester processes as the refresher asks for, and a Kinesis poller invoking the consumer logic
 * with event source mapping semantics.
 */
export async function startLocalPipeline(options: LocalPipelineOptions): Promise<LocalPipeline> {
  const { config, logger, components } = options;
  const has = (c: LocalComponent) => components.includes(c);
  // Only the series this process moves: the twitch_scraper_* capture gauges belong to the ingesters.
  const metrics = createPipelineMetrics();
  const cleanups: (() => Promise<void>)[] = [];
  let emulators: LocalEmulators | null = null;
  try {
    let endpoint = config.awsEndpointUrl;
    if (!endpoint) {
      let storageErrors = 0;
      let lastWarnAt = 0;
      emulators = await startEmulators({
        kinesisPath: join(options.dataDir, 'emulator', 'kinesis'),
        onStorageError: (error) => {
          storageErrors++;
          if (Date.now() - lastWarnAt < 10_000) return;
          lastWarnAt = Date.now();
          logger.warn('the stream emulator cannot write its data; calls fail with a retriable error until it can', {
            error: error.message,
            failures: storageErrors,
          });
        },
      });
      cleanups.push(() => emulators!.close());
      endpoint = emulators.endpoint;
      logger.info('started Kinesis and DynamoDB emulators', { endpoint });
    }
    const clientConfig = awsClientConfig({ region: config.awsRegion, endpoint, staticCredentials: config.awsStaticCredentials });
    const kinesis = new KinesisClient(clientConfig);
    const dynamo = new DynamoDBClient(clientConfig);
    cleanups.push(async () => {
      kinesis.destroy();
      dynamo.destroy();
    });
    await ensureStream(kinesis, config.kinesisStreamName, options.kinesisShards);
    await ensureControlTable(dynamo, config.controlTableName);

    let supervisor: Supervisor | null = null;
    if (has('ingesters')) {
      supervisor = new Supervisor({
        command: (options.ingesterCommand ?? INGESTER_COMMAND).command,
        cwd: (options.ingesterCommand ?? INGESTER_COMMAND).cwd,
        env: {
          // Like the parent (bin/poglytics.js): no third-party Node-version notice in `npm start`'s output.
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          ...process.env,
          AWS_ENDPOINT_URL: endpoint,
          AWS_REGION: config.awsRegion,
          KINESIS_STREAM_NAME: config.kinesisStreamName,
          CONTROL_TABLE_NAME: config.controlTableName,
          TWITCH_IRC_URL: options.twitch.ircUrl,
          CHANNELS_PER_CONNECTION: String(config.channelsPerConnection),
          LOG_LEVEL: config.logLevel,
          SHUTDOWN_DEADLINE_MS: '5000',
          CAPTURE_REPLICAS: String(config.captureReplicas),
          // The refresher's desired count divides by it: the ingesters must serve as many slots.
          SLOTS_PER_TASK: String(config.slotsPerTask),
          // Reads of the local emulator cost nothing: a standby finds a dead worker's freed slot within half a second.
          LEASE_POLL_MS: '500',
          OPTOUTS_FILE: optOutsPath(options.dataDir),
          ...options.ingesterEnv,
        },
        firstMetricsPort: options.metricsPort ? options.metricsPort + 1 : null,
        journalRoot: join(options.dataDir, 'journal'),
        logger,
        stopTimeoutMs: 8000,
        onWorkerDied: async (taskId, diedAt) => {
          const expired = await expireLeasesOf({ client: dynamo, tableName: config.controlTableName, owner: taskId, diedAt });
          if (expired.length > 0)
            logger.info('expired the dead ingester leases', { taskId, slots: expired.map((l) => `${l.shardId}/${l.replica}`) });
        },
        ...(options.onIngesterOutput ? { onOutput: options.onIngesterOutput } : {}),
        ...(options.onIngesterFatal ? { onFatal: options.onIngesterFatal } : {}),
      });
      // Should a later step of the start fail, no ingester outlives it.
      const started = supervisor;
      cleanups.push(() => started.stop());
    }

    const refresherLoop = has('refresher')
      ? await startRefresherLoop(
          createRefresher(
            {
              ...config,
              twitchHelixUrl: options.twitch.helixUrl,
              twitchAuthUrl: options.twitch.authUrl,
              refreshIntervalMs: options.refreshIntervalMs,
            },
            {
              dynamo,
              kinesis,
              scaler: supervisor ? new CallbackScaler((count) => supervisor.setDesiredCount(count)) : null,
              credentials: options.twitch.credentials,
              channelOverrides: new FileChannelOverrideStore(channelOverridesPath(options.dataDir)),
              optOuts: fileOptOutStore(optOutsPath(options.dataDir)),
              log: logger,
            },
          ),
          options.refreshIntervalMs,
          logger,
        )
      : null;
    if (refresherLoop) cleanups.push(() => refresherLoop.stop());
    const refreshNow = (): Promise<RefreshReport> => {
      if (!refresherLoop) return Promise.reject(new Error('the refresher component is not running'));
      return refresherLoop.refreshNow();
    };

    let poller: KinesisPoller | null = null;
    let sweeper: ReturnType<typeof startOptOutSweeper> | null = null;
    if (has('consumer')) {
      if (!options.sink) throw new Error('the consumer component needs a sink');
      ({ poller } = await startLocalConsumer({
        kinesis,
        streamName: config.kinesisStreamName,
        region: config.awsRegion,
        sink: options.sink,
        dataDir: options.dataDir,
        metrics,
        logger,
        esm: options.esm,
      }));
      sweeper = startOptOutSweeper({
        store: fileOptOutStore(optOutsPath(options.dataDir)),
        audit: new FileOptOutAuditLog(optOutAuditPath(options.dataDir)),
        sink: options.sink,
        deadLetters: [
          directoryDeadLetterStore(join(options.dataDir, 'dead-letter')),
          directoryDeadLetterStore(join(options.dataDir, 'dead-letter', REDRIVEN_FOLDER)),
        ],
        // The consumer's list cache (OptOutGate, 5 s) plus a batch in flight.
        settleMs: 15_000,
        intervalMs: options.optOutSweepMs ?? 60_000,
        ...(options.retention ? { retention: options.retention } : {}),
        log: logger,
      });
      const started = sweeper;
      cleanups.push(() => started.stop());
    }

    let server: MetricsServer | null = null;
    if (options.metricsPort !== null) {
      server = await startMetricsServer({
        port: options.metricsPort,
        host: options.metricsHost,
        registry: metrics.registry,
        // Listening only once every component has started: a container is healthy when it works.
        readiness: () => ({ ready: true, detail: { components } }),
      });
      const started = server;
      cleanups.push(() => started.close());
    }
    const metricsUrl = server ? `${server.url}/metrics` : null;

    const status = createStatusReader(metrics, supervisor, () => refresherLoop?.lastRefresh ?? null);

    let stopped: Promise<LocalStatus> | null = null;
    return {
      endpoint,
      metricsUrl,
      metricsServer: server,
      supervisor,
      metrics,
      refreshNow,
      sweepOptOutsNow: () => sweeper?.sweepNow() ?? null,
      status,
      stop: () =>
        (stopped ??= (async () => {
          await refresherLoop?.stop();
          await supervisor?.stop();
          await poller?.stop();
          const final = await status();
          await options.sink?.close();
          for (const cleanup of cleanups.reverse()) await cleanup();
          return final;
        })()),
    };
  } catch (error) {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    throw error;
  }
}
