import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRefresherConfig } from '../../core/control/loadRefresherConfig.ts';
import { createLogger } from '../../core/log.ts';
import type { EventSourceMappingSettings } from '../../services/local/kinesisEventSourceMapping.ts';
import { startLocalPipeline, type LocalPipeline } from '../../services/local/localPipeline.ts';
import { createSink } from '../../core/sinks/createSink.ts';
import type { Sink } from '../../core/sinks/types.ts';
import { startSimulator, type Simulator } from '../../services/twitch-sim/startSimulator.ts';

export interface PipelineHarness {
  readonly sim: Simulator;
  readonly pipeline: LocalPipeline;
  readonly sink: Sink;
  readonly dataDir: string;
  readonly dbPath: string;
  cleanup(): Promise<void>;
}

/** The local pipeline in-process (as `poglytics local` runs it) against a fresh simulator and SQLite file. */
export async function startPipelineHarness(options: {
  channels: number;
  rate: number;
  seed: number;
  groundTruth?: 'full' | 'counts';
  esm?: Partial<EventSourceMappingSettings>;
  ingesterEnv?: NodeJS.ProcessEnv;
  /** CAPTURE_REPLICAS of the refresher and the ingesters (default 1). */
  captureReplicas?: number;
  /** STANDBY_TASKS: warm ingesters that take over a dead one's slot (default 0). */
  standbyTasks?: number;
  /** SHARD_CAPACITY (default half the channels, which the 0.9 fill target makes 3 shards). */
  shardCapacity?: number;
  /** The simulator also sends (and records) traffic on channels nobody has joined, so a capture gap shows as missing events. */
  recordUndelivered?: boolean;
  /** How often the consumer's opt-out deletion sweep runs (default 60 s). */
  optOutSweepMs?: number;
  /** The sink the consumer writes to (default a fresh SQLite file at dbPath). */
  sink?: Sink;
}): Promise<PipelineHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'poglytics-e2e-'));
  const dbPath = join(dataDir, 'events.db');
  const sim = await startSimulator({
    channels: options.channels,
    messagesPerSecond: options.rate,
    seed: options.seed,
    joinLimit: null,
    groundTruth: { mode: options.groundTruth ?? 'full', maxRecords: 2_000_000, recordUndelivered: options.recordUndelivered ?? false },
    trafficAutoStart: false,
  });
  const sink = options.sink ?? createSink({ sink: 'sqlite', path: dbPath });
  await sink.migrate();
  const logger = createLogger('warn', { service: 'e2e' });
  const config = loadRefresherConfig({
    STANDBY_TASKS: String(options.standbyTasks ?? 0),
    SHARD_CAPACITY: String(options.shardCapacity ?? Math.ceil(options.channels / 2)),
    LOG_LEVEL: 'warn',
    CAPTURE_REPLICAS: String(options.captureReplicas ?? 1),
  });
  const pipeline = await startLocalPipeline({
    config,
    components: ['refresher', 'ingesters', 'consumer'],
    twitch: {
      ircUrl: sim.ircUrl,
      helixUrl: sim.helixUrl,
      authUrl: sim.authUrl,
      credentials: { clientId: sim.options.helix.clientId, clientSecret: sim.options.helix.clientSecret },
    },
    sink,
    dataDir,
    logger,
    refreshIntervalMs: 60_000,
    kinesisShards: 2,
    esm: { maximumBatchingWindowMs: 100, retryBaseMs: 100, batchSize: 50, ...options.esm },
    ingesterEnv: {
      JOIN_RATE_COUNT: '500',
      JOIN_RATE_WINDOW_MS: '1000',
      LEASE_DURATION_MS: '10000',
      LEASE_RENEW_MS: '1000',
      LEASE_POLL_MS: '300',
      ASSIGNMENT_POLL_MS: '300',
      KINESIS_FLUSH_MS: '100',
      LOG_LEVEL: 'warn',
      ...options.ingesterEnv,
    },
    metricsPort: 0,
    metricsHost: '127.0.0.1',
    ...(options.optOutSweepMs ? { optOutSweepMs: options.optOutSweepMs } : {}),
    onIngesterOutput: (index, line) => {
      if (process.env.E2E_VERBOSE) process.stderr.write(`[ingester ${index}] ${line}\n`);
    },
  });
  return {
    sim,
    pipeline,
    sink,
    dataDir,
    dbPath,
    cleanup: async () => {
      await pipeline.stop().catch(() => undefined);
      await sim.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Waits until `check` holds, polling; throws with `what` after the timeout. */
export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}
