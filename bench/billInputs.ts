import { MAX_SLOTS_PER_TASK } from '../core/control/desiredTasks.ts';

/**
 * What the monthly bill is computed from. Measured figures come from the bench results
 * (`billInputsFromFigures` maps each key); the rest are settings of the production stage or
 * stated assumptions, each with where it comes from. A later scale bench (100,000 channels)
 * replaces an assumption by writing the key named beside it.
 */
export interface BillInputs {
  /** Live channels captured (Twitch-wide: about 100,000 at a time). */
  readonly channels: number;
  /** Chat events per month. Twitch-wide chat was ~98,000 messages a minute in 2020 ≈ 4.2e9 a month; issue 19 prices 4e9. */
  readonly eventsPerMonth: number;
  /** CAPTURE_REPLICAS: every replica writes its copy to the stream; the sinks dedupe. */
  readonly replicas: number;
  /** Peak over average event rate the capacity is sized for. */
  readonly peakFactor: number;
  readonly channelsPerShard: number;
  readonly standbyTasks: number;
  readonly availabilityZones: number;
  readonly sink: 'clickhouse' | 'postgres';
  /** kinesis.bytes_per_event (measured). */
  readonly kinesisBytesPerEvent: number;
  /** kinesis.events_per_record (measured). */
  readonly eventsPerRecord: number;
  /** ingest.events_per_s on one core (measured). */
  readonly ingestEventsPerCpuSecond: number;
  /** ingest.rss_mb_per_2000_channels (measured). */
  readonly rssMbPer2000Channels: number;
  /** RSS of an ingester holding nothing plus the CloudWatch agent sidecar (scale.base_rss_mb when measured). */
  readonly baseRssMb: number;
  /** 1 / sink.<sink>.rows_per_s (measured). */
  readonly consumerSecondsPerEvent: number;
  /** Raw IRC bytes on the wire per event, tags and TLS framing included (scale.irc_bytes_per_event when measured). */
  readonly ircBytesPerEvent: number;
  /** Share of all events in the busiest shard (Twitch's skew: the top channels dominate). */
  readonly hottestShardShare: number;
  /** A shard item of channelsPerShard channels in DynamoDB's accounting (core/control/layout.ts: ~120 KB for 2,000). */
  readonly shardItemBytes: number;
  /** DynamoDB write units per refresh (scale.refresher_write_units_per_refresh when measured). */
  readonly refresherWriteUnitsPerRefresh: number;
  readonly refresherSecondsPerRun: number;
  readonly refreshMinutes: number;
  /** LEASE_RENEW_MS, LEASE_POLL_MS and the assignment watch's poll, in seconds. */
  readonly leaseRenewSeconds: number;
  readonly leasePollSeconds: number;
  readonly assignmentPollSeconds: number;
  readonly streamRetentionHours: number;
  readonly logRetentionDays: number;
  readonly consumerMemoryGb: number;
  readonly consumerParallelization: number;
  readonly consumerBatchingWindowSeconds: number;
  /** Hours of Kinesis outage the ingester's disk journal must hold (it may use half the task's storage). */
  readonly journalHours: number;
  readonly memoryHeadroom: number;
  readonly cpuHeadroom: number;
  /** Share of a provisioned shard's limits the peak may use. */
  readonly kinesisShardUtilization: number;
  /** Custom metrics: 17 ingester series, 8 consumer, 10 refresher, ~30 from Container Insights. */
  readonly customMetrics: number;
  readonly alarms: number;
  /** CloudWatch Logs per task per month: agent EMF (17 series every 30 s), app logs, Container Insights. */
  readonly logBytesPerTaskMonth: number;
  readonly logBytesPerLambdaInvocation: number;
  /** VPC flow log bytes per task ENI per month (a public IP also draws scans, rejected and logged). */
  readonly flowLogBytesPerTaskMonth: number;
  /** Read API requests a month (assumed: community tools, bots and the viewer), each ~readApiSecondsPerRequest at readApiMemoryGb. */
  readonly readApiRequestsPerMonth: number;
  readonly readApiSecondsPerRequest: number;
  readonly readApiMemoryGb: number;
  /** Lease slots one ingester task can hold: SLOTS_PER_TASK's bound (core/control/desiredTasks.ts MAX_SLOTS_PER_TASK). */
  readonly maxSlotsPerTask: number;
  /** Whether a task can be pinned to one replica index (needed before the second replica may ride Spot). */
  readonly spotReplicaPinning: boolean;
}

export const DEFAULT_BILL_INPUTS: BillInputs = {
  channels: 100_000,
  eventsPerMonth: 4e9,
  replicas: 2,
  peakFactor: 3,
  channelsPerShard: 2000,
  standbyTasks: 1,
  availabilityZones: 2,
  sink: 'clickhouse',
  kinesisBytesPerEvent: 112.4,
  eventsPerRecord: 2113,
  ingestEventsPerCpuSecond: 47_461,
  rssMbPer2000Channels: 14.4,
  // An ingester holding nothing (~100 MB, bundled JavaScript) plus the CloudWatch agent (~60 MB).
  baseRssMb: 160,
  consumerSecondsPerEvent: 1 / 11_296,
  ircBytesPerEvent: 450,
  hottestShardShare: 0.1,
  shardItemBytes: 120_000,
  // Churn touches every shard at 100,000 channels: each refresh rewrites all 50 items (120 WRU each).
  refresherWriteUnitsPerRefresh: 50 * 120,
  refresherSecondsPerRun: 10,
  refreshMinutes: 5,
  leaseRenewSeconds: 3,
  leasePollSeconds: 2,
  assignmentPollSeconds: 5,
  streamRetentionHours: 72,
  logRetentionDays: 90,
  consumerMemoryGb: 1,
  consumerParallelization: 2,
  consumerBatchingWindowSeconds: 5,
  journalHours: 24,
  memoryHeadroom: 1.5,
  cpuHeadroom: 2,
  kinesisShardUtilization: 0.8,
  customMetrics: 65,
  alarms: 5,
  logBytesPerTaskMonth: 250e6,
  logBytesPerLambdaInvocation: 1000,
  flowLogBytesPerTaskMonth: 30e6,
  readApiRequestsPerMonth: 1e6,
  readApiSecondsPerRequest: 0.1,
  readApiMemoryGb: 0.5,
  maxSlotsPerTask: MAX_SLOTS_PER_TASK,
  spotReplicaPinning: false,
};

/** The production stage settings the bill depends on (infra/stages/production.json after defaults). */
export interface StageSettings {
  readonly sink: 'clickhouse' | 'postgres';
  readonly shardCapacity: number;
  readonly standbyTasks: number;
  readonly captureReplicas: number;
  readonly streamRetentionHours: number;
  readonly logRetentionDays: number;
  readonly refreshScheduleMinutes: number;
  readonly consumer: { readonly memoryMiB: number; readonly parallelizationFactor: number; readonly maxBatchingWindowSeconds: number };
}

/** Measured bench figures and stage settings over the defaults; a figure missing from a run keeps its default. */
export function billInputsFromFigures(figures: Record<string, number>, stage?: StageSettings): BillInputs {
  const d = DEFAULT_BILL_INPUTS;
  const f = (key: string, fallback: number) => (Number.isFinite(figures[key]) && figures[key]! > 0 ? figures[key]! : fallback);
  const sink = stage?.sink ?? d.sink;
  const sinkRate = figures[`sink.${sink}.rows_per_s`];
  return {
    ...d,
    sink,
    kinesisBytesPerEvent: f('kinesis.bytes_per_event', d.kinesisBytesPerEvent),
    eventsPerRecord: f('kinesis.events_per_record', d.eventsPerRecord),
    ingestEventsPerCpuSecond: f('ingest.events_per_s', d.ingestEventsPerCpuSecond),
    rssMbPer2000Channels: f('scale.rss_mb_per_2000_channels', f('ingest.rss_mb_per_2000_channels', d.rssMbPer2000Channels)),
    baseRssMb: f('scale.base_rss_mb', d.baseRssMb),
    consumerSecondsPerEvent: sinkRate && sinkRate > 0 ? 1 / sinkRate : d.consumerSecondsPerEvent,
    ircBytesPerEvent: f('scale.irc_bytes_per_event', d.ircBytesPerEvent),
    shardItemBytes: f('scale.largest_assignment_item_bytes', d.shardItemBytes),
    refresherWriteUnitsPerRefresh: f('scale.refresher_write_units_per_refresh', d.refresherWriteUnitsPerRefresh),
    ...(stage
      ? {
          channelsPerShard: stage.shardCapacity,
          standbyTasks: stage.standbyTasks,
          replicas: stage.captureReplicas,
          streamRetentionHours: stage.streamRetentionHours,
          logRetentionDays: stage.logRetentionDays,
          refreshMinutes: stage.refreshScheduleMinutes,
          consumerMemoryGb: stage.consumer.memoryMiB / 1024,
          consumerParallelization: stage.consumer.parallelizationFactor,
          consumerBatchingWindowSeconds: stage.consumer.maxBatchingWindowSeconds,
        }
      : {}),
  };
}
