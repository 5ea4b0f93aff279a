import { CfnOutput, Stack, Validations, type CfnElement, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { ON_FAILURE_PREFIX } from '../core/deadletter/s3DeadLetter.ts';
import type { InfraConfig } from './config.ts';
import { Control } from './constructs/Control.ts';
import { EventStream } from './constructs/EventStream.ts';
import { Ingest } from './constructs/Ingest.ts';
import { LeaseReaper } from './constructs/LeaseReaper.ts';
import { Network } from './constructs/Network.ts';
import { Observability } from './constructs/Observability.ts';
import { ReadApi } from './constructs/ReadApi.ts';
import { DEAD_LETTER_METRICS_FILTER, Storage } from './constructs/Storage.ts';

export interface PoglyticsStackProps extends StackProps {
  readonly config: InfraConfig;
}

/**
 * The whole system in one stack. Environment-agnostic (no lookups): the account and region come
 * from the deploying credentials, so the same template deploys anywhere, LocalStack included.
 */
export class PoglyticsStack extends Stack {
  public readonly network: Network;
  public readonly events: EventStream;
  public readonly control: Control;
  public readonly ingest: Ingest;
  public readonly leaseReaper: LeaseReaper;
  public readonly storage: Storage;
  public readonly observability: Observability;
  public readonly readApi: ReadApi;

  constructor(scope: Construct, id: string, props: PoglyticsStackProps) {
    super(scope, id, props);
    const { config } = props;

    const twitchSecret = secretsmanager.Secret.fromSecretNameV2(this, 'TwitchSecret', config.twitchSecretName);
    this.network = new Network(this, 'Network', { network: config.network, logRetentionDays: config.logRetentionDays });
    this.events = new EventStream(this, 'Events', {
      kinesis: config.kinesis,
      retentionHours: config.streamRetentionHours,
    });
    this.control = new Control(this, 'Control', { config, stream: this.events.stream, twitchSecret });
    this.ingest = new Ingest(this, 'Ingest', {
      config,
      vpc: this.network.vpc,
      subnets: this.network.ingesterSubnets,
      assignPublicIp: this.network.ingestersPublic,
      stream: this.events.stream,
      table: this.control.table,
    });
    this.control.manageService(this.ingest.cluster, this.ingest.service);
    this.leaseReaper = new LeaseReaper(this, 'LeaseReaper', {
      config,
      table: this.control.table,
      cluster: this.ingest.cluster,
      service: this.ingest.service,
    });
    this.storage = new Storage(this, 'Storage', {
      config,
      network: this.network,
      stream: this.events.stream,
    });
    // The opt-out list (issue 18): the consumer redeems chat codes and drops opted-out users'
    // events. It may read and write the control table's `admin` items only, not the assignments.
    this.storage.consumer.function.addEnvironment('CONTROL_TABLE_NAME', this.control.table.tableName);
    this.storage.consumer.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        resources: [this.control.table.tableArn],
        conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['admin'] } },
      }),
    );
    // The opt-out sweep rewrites dead-letter objects without the opted-out (list, read, put back,
    // delete when nothing is left): the consumer's own prefix and Lambda's on-failure records.
    const sweptPrefixes = ['dead-letter/', ON_FAILURE_PREFIX];
    this.storage.consumer.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [this.storage.deadLetterBucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': sweptPrefixes.map((p) => `${p}*`) } },
      }),
    );
    this.storage.consumer.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        resources: sweptPrefixes.map((p) => this.storage.deadLetterBucket.arnForObjects(`${p}*`)),
      }),
    );
    const bucketId = this.getLogicalId(this.storage.deadLetterBucket.node.defaultChild as CfnElement);
    for (const p of sweptPrefixes)
      Validations.of(this.storage.consumer.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${p}*]`,
        reason: `The opt-out sweep reads, rewrites and deletes dead-letter objects (generated keys) under the ${p} prefix of the one bucket.`,
      });
    this.readApi = new ReadApi(this, 'ReadApi', { config, network: this.network, storage: this.storage, table: this.control.table });
    this.observability = new Observability(this, 'Observability', {
      config,
      resources: {
        stream: this.events.stream,
        consumer: this.storage.consumer.function,
        refresher: this.control.refresher.function,
        cluster: this.ingest.cluster,
        service: this.ingest.service,
        deadLetterBucket: this.storage.deadLetterBucket,
        deadLetterMetricsFilter: DEAD_LETTER_METRICS_FILTER,
        sink: config.sink,
      },
    });

    // What the deployment walkthrough (infra/README.md) tells a newcomer to look at.
    const outputs: Record<string, string> = {
      DashboardName: this.observability.dashboard.dashboard.dashboardName,
      StreamName: this.events.stream.streamName,
      ControlTableName: this.control.table.tableName,
      DeadLetterBucket: this.storage.deadLetterBucket.bucketName,
      IngesterCluster: this.ingest.cluster.clusterName,
      IngesterService: this.ingest.service.serviceName,
      RefresherFunction: this.control.refresher.function.functionName,
      SinkSecretArn: this.storage.sinkSecret.secretArn,
      SinkClientSecurityGroup: this.storage.securityGroup.securityGroupId,
      AlarmTopicArn: this.observability.topic.topicArn,
      ReadApiUrl: this.readApi.api.url,
      ReadApiAdminKeySecretArn: this.readApi.adminKeySecret.secretArn,
      ReadApiReaderSecretArn: this.readApi.readerSecret.secretArn,
    };
    if (this.storage.database) outputs.DatabaseEndpoint = this.storage.database.dbInstanceEndpointAddress;
    for (const [name, value] of Object.entries(outputs)) new CfnOutput(this, name, { value });
  }
}
