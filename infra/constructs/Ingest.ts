import { Duration, RemovalPolicy, Size, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { InfraConfig } from '../config.ts';
import { REPO_ROOT } from '../paths.ts';
import { cloudWatchAgentConfig, prometheusScrapeConfig } from './ingesterMetricsAgentConfig.ts';

export interface IngestProps {
  readonly config: Pick<
    InfraConfig,
    'architecture' | 'logRetentionDays' | 'channelsPerConnection' | 'ingester' | 'recordCompression' | 'captureReplicas' | 'slotsPerTask'
  >;
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  /** Public subnets: each task gets a public IPv4 (its security group still has no inbound rule). */
  readonly assignPublicIp: boolean;
  readonly stream: kinesis.IStream;
  readonly table: dynamodb.ITable;
}

export const METRICS_PORT = 9091;
export const JOURNAL_DIR = '/tmp/poglytics/journal';
const NON_ROOT_USER = '1000:1000';
/** Fargate's ephemeral storage when none is configured. */
const FARGATE_FREE_STORAGE_GIB = 20;

/** Build context is the repository root (the image needs core/); these never belong in it. */
const IMAGE_EXCLUDES = ['**/node_modules', 'cdk.out', '.git', 'data', 'test', 'bench', 'infra', 'monitoring', '.ci', '**/*.log'];

/**
 * The ingesters: an ECS cluster and a Fargate service running services/ingester/Dockerfile, with
 * a CloudWatch agent sidecar that turns its Prometheus metrics into CloudWatch metrics.
 *
 * The service's desired count belongs to the channel refresher (ECS UpdateService). The template
 * therefore carries no DesiredCount: CloudFormation starts a new service with one task and, on
 * every later deploy, leaves the running count alone instead of resetting it.
 */
export class Ingest extends Construct {
  public readonly cluster: ecs.Cluster;
  public readonly service: ecs.FargateService;
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  public readonly logGroup: logs.LogGroup;
  public readonly metricsLogGroup: logs.LogGroup;
  public readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: IngestProps) {
    super(scope, id);
    const { config } = props;
    const ingester = config.ingester;
    const arm = config.architecture === 'arm64';
    const retention = config.logRetentionDays as logs.RetentionDays;

    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: props.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: ingester.cpu,
      memoryLimitMiB: ingester.memoryMiB,
      runtimePlatform: {
        cpuArchitecture: arm ? ecs.CpuArchitecture.ARM64 : ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
      ...(ingester.ephemeralStorageGiB !== undefined ? { ephemeralStorageGiB: ingester.ephemeralStorageGiB } : {}),
    });

    this.logGroup = new logs.LogGroup(this, 'Logs', { retention, removalPolicy: RemovalPolicy.RETAIN });
    this.metricsLogGroup = new logs.LogGroup(this, 'MetricsLogs', { retention, removalPolicy: RemovalPolicy.RETAIN });

    const ingesterContainer = this.taskDefinition.addContainer('ingester', {
      image: ecs.ContainerImage.fromAsset(REPO_ROOT, {
        file: 'services/ingester/Dockerfile',
        platform: arm ? Platform.LINUX_ARM64 : Platform.LINUX_AMD64,
        exclude: IMAGE_EXCLUDES,
      }),
      essential: true,
      user: NON_ROOT_USER,
      // SIGTERM → ordered shutdown (stop reading, flush, release lease) → SIGKILL after this.
      stopTimeout: Duration.seconds(ingester.stopTimeoutSeconds),
      // A crashed ingester restarts in the same task and keeps its disk, so it replays its
      // write-ahead journal; a new task would start with an empty one (replicas cover that case).
      // Exit 2 is a configuration error: restarting cannot fix it. ECS allows one restart per
      // period (60 s is its minimum); a container that dies sooner stops the task instead.
      enableRestartPolicy: true,
      restartIgnoredExitCodes: [2],
      restartAttemptPeriod: Duration.seconds(60),
      environment: {
        AWS_REGION: Stack.of(this).region,
        KINESIS_STREAM_NAME: props.stream.streamName,
        KINESIS_COMPRESSION: config.recordCompression,
        CONTROL_TABLE_NAME: props.table.tableName,
        CHANNELS_PER_CONNECTION: String(config.channelsPerConnection),
        // TASK_ID (the task ARN) and AVAILABILITY_ZONE come from the task metadata endpoint at start.
        CAPTURE_REPLICAS: String(config.captureReplicas),
        // As many slots as the refresher's desired count assumes (the same setting feeds both).
        SLOTS_PER_TASK: String(config.slotsPerTask),
        SHUTDOWN_DEADLINE_MS: String(ingester.shutdownDeadlineMs),
        // On the task's ephemeral storage (the writable layer): survives a Kinesis outage, not the
        // task. Bounded to half of that storage; the dead-letter folder sits inside it.
        JOURNAL_DIR,
        JOURNAL_MAX_BYTES: String(Math.floor(((ingester.ephemeralStorageGiB ?? FARGATE_FREE_STORAGE_GIB) / 2) * 1024 ** 3)),
        METRICS_PORT: String(METRICS_PORT),
        JOIN_RATE_COUNT: String(ingester.joinRateCount),
        JOIN_RATE_WINDOW_MS: String(ingester.joinRateWindowMs),
        LOG_LEVEL: ingester.logLevel,
      },
      // No Twitch credentials: the ingester reads chat anonymously (justinfan), so neither the
      // task nor its execution role may read the Twitch secret (least privilege).
      healthCheck: {
        // The image has node but maybe no curl: ask the metrics endpoint with node itself.
        command: [
          'CMD',
          'node',
          '-e',
          `fetch('http://127.0.0.1:${METRICS_PORT}/metrics').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`,
        ],
        interval: Duration.seconds(30),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(60),
      },
      logging: ecs.LogDrivers.awsLogs({
        streamPrefix: 'ingester',
        logGroup: this.logGroup,
        // Never block the event loop on CloudWatch Logs backpressure.
        mode: ecs.AwsLogDriverMode.NON_BLOCKING,
        maxBufferSize: Size.mebibytes(25),
      }),
    });

    const agent = this.taskDefinition.addContainer('metrics-agent', {
      image: ecs.ContainerImage.fromRegistry(props.config.ingester.metricsAgentImage),
      // Losing metrics must not stop ingestion.
      essential: false,
      cpu: 64,
      memoryReservationMiB: 64,
      environment: {
        CW_CONFIG_CONTENT: cloudWatchAgentConfig(this.metricsLogGroup.logGroupName),
        PROMETHEUS_CONFIG_CONTENT: prometheusScrapeConfig(METRICS_PORT),
      },
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'metrics-agent', logGroup: this.logGroup }),
    });
    agent.addContainerDependencies({ container: ingesterContainer, condition: ecs.ContainerDependencyCondition.START });

    const taskRole = this.taskDefinition.taskRole;
    props.stream.grantWrite(taskRole);
    props.table.grantReadWriteData(taskRole);
    this.metricsLogGroup.grantWrite(taskRole);
    this.metricsLogGroup.grant(taskRole, 'logs:DescribeLogStreams');

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Poglytics ingester tasks: no inbound, outbound to Twitch IRC and AWS APIs',
      allowAllOutbound: true,
    });

    this.service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      vpcSubnets: props.subnets,
      securityGroups: [this.securityGroup],
      assignPublicIp: props.assignPublicIp,
      // desiredCount deliberately unset: owned by the channel refresher (see class comment).
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      propagateTags: ecs.PropagatedTagSource.SERVICE,
      enableExecuteCommand: false,
    });

    Validations.of(this.taskDefinition).acknowledge(
      {
        id: 'AwsSolutions-ECS2',
        reason:
          'Only non-secret settings (resource names, tuning numbers, agent config) are plain environment variables; the ingester needs no credentials (anonymous IRC), so it gets none.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Execution role: ecr:GetAuthorizationToken has no resource-level permissions (image pulls themselves are scoped to the asset repository).',
      },
    );
  }
}
