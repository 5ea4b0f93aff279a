import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { MAX_SHARD_CAPACITY } from '../core/control/layout.ts';
import { MAX_SLOTS_PER_TASK } from '../core/control/desiredTasks.ts';

/** CloudWatch Logs accepts only these retention periods (days). */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Fargate CPU units and the memory range (MiB) each one allows. */
const FARGATE_MEMORY_RANGE: Record<number, readonly [number, number]> = {
  256: [512, 2048],
  512: [1024, 4096],
  1024: [2048, 8192],
  2048: [4096, 16384],
  4096: [8192, 30720],
};

const int = () => z.number().int();

const KinesisSchema = z.discriminatedUnion('capacityMode', [
  z.object({ capacityMode: z.literal('on-demand') }).strict(),
  z.object({ capacityMode: z.literal('provisioned'), shardCount: int().min(1).max(500) }).strict(),
]);

/**
 * The CloudWatch agent sidecar, pinned: `:latest` would change what runs on a redeploy without a
 * change here. A tag seen as the default of public ECS modules in 2026; bump it deliberately.
 */
export const DEFAULT_METRICS_AGENT_IMAGE = 'public.ecr.aws/cloudwatch-agent/cloudwatch-agent:1.300062.0b1304';

const IngesterSchema = z
  .object({
    cpu: z.union([z.literal(256), z.literal(512), z.literal(1024), z.literal(2048), z.literal(4096)]).default(512),
    memoryMiB: int().default(1024),
    /** SHUTDOWN_DEADLINE_MS of the ingester: its ordered shutdown must finish within this. */
    shutdownDeadlineMs: int().min(1000).max(110_000).default(25_000),
    /** ECS stopTimeout: SIGTERM → SIGKILL. Must exceed the shutdown deadline by a margin. */
    stopTimeoutSeconds: int().min(2).max(120).default(30),
    /** Fargate task ephemeral storage (journal spill lives there). 20 GiB is free; 21–200 are billed. */
    ephemeralStorageGiB: int().min(21).max(200).optional(),
    joinRateCount: int().min(1).max(2000).default(20),
    joinRateWindowMs: int().min(1000).default(10_000),
    logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    /** The CloudWatch agent image that scrapes /metrics: a fixed tag or digest, never `latest`. */
    metricsAgentImage: z
      .string()
      .regex(/^[a-z0-9./-]+(?::(?!latest$)[\w][\w.-]{0,127}|@sha256:[0-9a-f]{64})$/, 'an image with a fixed tag or digest (not :latest)')
      .default(DEFAULT_METRICS_AGENT_IMAGE),
  })
  .strict()
  .superRefine((value, ctx) => {
    const range = FARGATE_MEMORY_RANGE[value.cpu];
    if (range && (value.memoryMiB < range[0] || value.memoryMiB > range[1])) {
      ctx.addIssue({
        code: 'custom',
        path: ['memoryMiB'],
        message: `Fargate cpu ${value.cpu} needs memoryMiB between ${range[0]} and ${range[1]}`,
      });
    }
    if (value.stopTimeoutSeconds * 1000 < value.shutdownDeadlineMs + 2000) {
      ctx.addIssue({
        code: 'custom',
        path: ['stopTimeoutSeconds'],
        message: `stopTimeoutSeconds (${value.stopTimeoutSeconds}) must exceed shutdownDeadlineMs (${value.shutdownDeadlineMs}) by at least 2 s`,
      });
    }
  });

const ConsumerSchema = z
  .object({
    batchSize: int().min(1).max(10_000).default(500),
    maxBatchingWindowSeconds: int().min(0).max(300).default(5),
    parallelizationFactor: int().min(1).max(10).default(2),
    /** Bounded: a poison batch is bisected and retried at most this often, then goes to S3. */
    retryAttempts: int().min(0).max(100).default(10),
    maxRecordAgeMinutes: int().min(1).max(10_080).default(360),
    memoryMiB: int().min(128).max(10_240).default(1024),
    timeoutSeconds: int().min(10).max(900).default(120),
  })
  .strict();

/**
 * Where the ingesters run and how the VPC reaches the internet. `public`: ingester tasks in public
 * subnets, each with a public IPv4 and a security group with no inbound rules, so the NAT's
 * hourly and per-GB charges go (bench/monthlyBill.ts prices both). With no NAT gateway the app
 * subnets are isolated: a ClickHouse sink's consumer and migrator then run outside the VPC (they
 * need nothing inside it), a Postgres sink's run in the isolated subnets and reach Secrets
 * Manager through an interface endpoint.
 */
const NetworkSchema = z
  .object({
    ingesterSubnets: z.enum(['public', 'private']).default('private'),
    natGateways: int().min(0).max(3).default(1),
  })
  .strict()
  .superRefine((value, ctx) => {
    if (value.ingesterSubnets === 'private' && value.natGateways === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['natGateways'],
        message: 'ingesters in private subnets reach Twitch IRC only through a NAT gateway: natGateways must be at least 1',
      });
    }
  });

const DatabaseSchema = z
  .object({
    instanceType: z
      .string()
      .regex(/^[a-z0-9]+\.[a-z0-9]+$/, 'an instance type such as t4g.micro')
      .default('t4g.micro'),
    allocatedStorageGiB: int().min(20).max(65_536).default(20),
    maxAllocatedStorageGiB: int().min(20).max(65_536).default(100),
    multiAz: z.boolean().default(false),
    backupRetentionDays: int().min(1).max(35).default(7),
  })
  .strict();

/**
 * The read service (issue 17): a Lambda behind a regional REST API whose integration streams
 * (infra/README.md, "The read service", says why not Fargate or an HTTP API). The stage-wide
 * throttle is the only limit in front of it, and with it the bound on concurrent database reads.
 */
const ReadApiSchema = z
  .object({
    /** Requests per second (steady) and burst of the API stage, for all clients together. */
    throttlingRateLimit: z.number().min(1).max(10_000).default(50),
    throttlingBurstLimit: int().min(1).max(5000).default(100),
    memoryMiB: int().min(128).max(10_240).default(512),
    /** A streamed response (a long range, a live tail) lasts at most this long: 900 is API Gateway's limit for streams. */
    timeoutSeconds: int().min(30).max(900).default(900),
  })
  .strict()
  .superRefine((value, ctx) => {
    if (value.throttlingBurstLimit < value.throttlingRateLimit) {
      ctx.addIssue({ code: 'custom', path: ['throttlingBurstLimit'], message: 'must be at least throttlingRateLimit' });
    }
  });

export const InfraConfigSchema = z
  .object({
    /** Suffix of the stack name; also selects infra/stages/<stage>.json. */
    stage: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9-]{0,30}$/)
      .optional(),
    sink: z.enum(['clickhouse', 'postgres']).default('clickhouse'),
    maxChannels: int().min(1).default(50_000),
    minViewers: int().min(0).default(1),
    channelsPerConnection: int().min(1).max(10_000).default(2000),
    shardCapacity: int().min(1).max(MAX_SHARD_CAPACITY).default(2000),
    standbyTasks: int().min(0).max(20).default(1),
    /** CAPTURE_REPLICAS: ingester tasks (in different zones where possible) that join each channel. */
    captureReplicas: int().min(1).max(3).default(2),
    /**
     * SLOTS_PER_TASK: (shard, replica) slots one ingester task serves, never two replicas of a shard.
     * The refresher runs ceil(shards × replicas / slotsPerTask) tasks (at least captureReplicas) + standbyTasks.
     */
    slotsPerTask: int().min(1).max(MAX_SLOTS_PER_TASK).default(1),
    offlineGraceMinutes: int().min(0).max(1440).default(10),
    /** How often the channel refresher runs: rate(N minutes). */
    refreshScheduleMinutes: int().min(1).max(60).default(5),
    /** Secrets Manager name of the Twitch app credentials, JSON {"client_id","client_secret"}. */
    twitchSecretName: z.string().min(1).default('poglytics/twitch'),
    /** Secrets Manager name of the ClickHouse connection, JSON {url,username,password,database}. */
    clickhouseSecretName: z.string().min(1).default('poglytics/clickhouse'),
    /** Secrets Manager name of the read service's ClickHouse user (readonly=1, SELECT on chat_events and the views), same layout. */
    clickhouseReaderSecretName: z.string().min(1).default('poglytics/clickhouse-reader'),
    readApi: ReadApiSchema.default({}),
    kinesis: KinesisSchema.default({ capacityMode: 'on-demand' }),
    /** KINESIS_COMPRESSION of every writer. gzip only while upgrading a deployment whose consumers predate brotli records. */
    recordCompression: z.enum(['brotli', 'gzip']).default('brotli'),
    streamRetentionHours: int().min(24).max(8760).default(24),
    alarmEmail: z.string().email().optional(),
    architecture: z.enum(['arm64', 'x86_64']).default('arm64'),
    network: NetworkSchema.default({}),
    logRetentionDays: z
      .number()
      .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), `one of ${LOG_RETENTION_DAYS.join(', ')}`)
      .default(30),
    deadLetterRetentionDays: int().min(1).max(3650).default(90),
    ingester: IngesterSchema.default({}),
    consumer: ConsumerSchema.default({}),
    database: DatabaseSchema.default({}),
    alarms: z
      .object({
        iteratorAgeMinutes: int().min(1).max(10_080).default(10),
        noEventsMinutes: int().min(5).max(1440).default(15),
      })
      .strict()
      .default({}),
  })
  .strict();

export type InfraConfig = z.infer<typeof InfraConfigSchema>;
export type InfraConfigInput = z.input<typeof InfraConfigSchema>;

export class InfraConfigError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InfraConfigError';
  }
}

/** What the loader needs from a CDK app: its context, and where stage files live. */
export interface ConfigSources {
  readonly context: (key: string) => unknown;
  readonly stagesDir: string;
}

/**
 * Loads the configuration once: the `poglytics` context object (cdk.json), then the stage file
 * infra/stages/<stage>.json when context `stage` is set, then the top-level `sink` and
 * `alarmEmail` context values (`cdk synth -c sink=postgres`). Later sources win, objects merge.
 */
export function loadInfraConfig(sources: ConfigSources): InfraConfig {
  const base = asObject(sources.context('poglytics'), 'context "poglytics"');
  const stage = sources.context('stage');
  let merged = base;
  if (stage !== undefined) {
    if (typeof stage !== 'string' || !/^[A-Za-z][A-Za-z0-9-]{0,30}$/.test(stage)) {
      throw new InfraConfigError(`context "stage" must be a name like "prod", got ${JSON.stringify(stage)}`);
    }
    const file = join(sources.stagesDir, `${stage}.json`);
    if (!existsSync(file)) throw new InfraConfigError(`stage "${stage}" has no file ${file}`);
    merged = deepMerge(merged, { ...asObject(JSON.parse(readFileSync(file, 'utf8')), file), stage });
  }
  for (const key of ['sink', 'alarmEmail'] as const) {
    const value = sources.context(key);
    if (value !== undefined) merged = { ...merged, [key]: value };
  }
  return parseInfraConfig(merged);
}

export function parseInfraConfig(input: unknown): InfraConfig {
  const result = InfraConfigSchema.safeParse(input);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
    throw new InfraConfigError(`invalid Poglytics infrastructure config:\n${issues}`);
  }
  return result.data;
}

function asObject(value: unknown, what: string): Record<string, unknown> {
  if (value === undefined) return {};
  // `cdk -c poglytics='{"sink":"postgres"}'` arrives as a string.
  const parsed = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InfraConfigError(`${what} must be a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const prev = out[key];
    // `kinesis` is a tagged union: a stage file replaces it whole instead of mixing two modes.
    const bothObjects = key !== 'kinesis' && isPlainObject(prev) && isPlainObject(value);
    out[key] = bothObjects ? deepMerge(prev, value) : value;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
