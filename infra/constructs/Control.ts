import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { InfraConfig } from '../config.ts';
import { PoglyticsFunction } from './PoglyticsFunction.ts';

export interface ControlProps {
  readonly config: Pick<
    InfraConfig,
    | 'architecture'
    | 'logRetentionDays'
    | 'refreshScheduleMinutes'
    | 'maxChannels'
    | 'minViewers'
    | 'channelsPerConnection'
    | 'shardCapacity'
    | 'standbyTasks'
    | 'captureReplicas'
    | 'slotsPerTask'
    | 'offlineGraceMinutes'
    | 'recordCompression'
  >;
  readonly stream: kinesis.IStream;
  readonly twitchSecret: secretsmanager.ISecret;
}

/**
 * The control plane: the DynamoDB table of shard assignments and leases (core/control/layout.ts),
 * and the channel refresher that rewrites the assignments on a schedule and scales the ingester
 * service. The service is attached with manageService() once it exists, because the service in
 * turn needs the table.
 */
export class Control extends Construct {
  public readonly table: dynamodb.Table;
  public readonly refresher: PoglyticsFunction;
  public readonly schedule: events.Rule;

  constructor(scope: Construct, id: string, props: ControlProps) {
    super(scope, id);
    const { config } = props;

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      // Leases carry `ttl` (epoch seconds) so abandoned ones disappear on their own.
      timeToLiveAttribute: 'ttl',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const rate = Duration.minutes(config.refreshScheduleMinutes);
    this.refresher = new PoglyticsFunction(this, 'Refresher', {
      entry: 'lambdas/channel-refresher/handler.ts',
      description: 'Discovers live channels, rebalances shard assignments, scales the ingester service',
      architecture: config.architecture,
      logRetentionDays: config.logRetentionDays,
      memorySize: 512,
      // Finish well within one schedule period so two refreshes rarely overlap.
      timeout: Duration.seconds(Math.min(config.refreshScheduleMinutes * 60 - 10, 120)),
      // A missed refresh is redone by the next scheduled one; async retries would only pile up.
      retryAttempts: 0,
      maxEventAge: Duration.seconds(Math.max(60, Math.min(rate.toSeconds(), 21_600))),
      environment: {
        CONTROL_TABLE_NAME: this.table.tableName,
        KINESIS_STREAM_NAME: props.stream.streamName,
        KINESIS_COMPRESSION: config.recordCompression,
        TWITCH_SECRET_ARN: props.twitchSecret.secretArn,
        MAX_CHANNELS: String(config.maxChannels),
        MIN_VIEWERS: String(config.minViewers),
        CHANNELS_PER_CONNECTION: String(config.channelsPerConnection),
        SHARD_CAPACITY: String(config.shardCapacity),
        STANDBY_TASKS: String(config.standbyTasks),
        CAPTURE_REPLICAS: String(config.captureReplicas),
        SLOTS_PER_TASK: String(config.slotsPerTask),
        OFFLINE_GRACE_MINUTES: String(config.offlineGraceMinutes),
        // Snapshots: the heartbeat row goes out at each hour's last refresh (selectSnapshots.ts).
        REFRESH_INTERVAL_MINUTES: String(config.refreshScheduleMinutes),
      },
    });
    this.table.grantReadWriteData(this.refresher.function);
    props.stream.grantWrite(this.refresher.function);
    props.twitchSecret.grantRead(this.refresher.function);

    this.schedule = new events.Rule(this, 'Schedule', {
      description: 'Runs the channel refresher',
      schedule: events.Schedule.rate(rate),
      targets: [new targets.LambdaFunction(this.refresher.function, { retryAttempts: 0 })],
    });
  }

  /** Lets the refresher set the desired count of this one service, and tells it which one. */
  manageService(cluster: ecs.ICluster, service: ecs.IBaseService): void {
    const fn = this.refresher.function;
    fn.addEnvironment('ECS_CLUSTER', cluster.clusterName);
    fn.addEnvironment('ECS_SERVICE', service.serviceName);
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ScaleIngesterService',
        actions: ['ecs:UpdateService', 'ecs:DescribeServices'],
        resources: [service.serviceArn],
      }),
    );
  }
}
