import { CustomResource, Duration, RemovalPolicy, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { KinesisEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { InfraConfig } from '../config.ts';
import { sourceHash } from '../sourceHash.ts';
import type { Network } from './Network.ts';
import { PoglyticsFunction } from './PoglyticsFunction.ts';
import { S3DeadLetterDestination } from './S3DeadLetterDestination.ts';

export interface StorageProps {
  readonly config: Pick<
    InfraConfig,
    'sink' | 'clickhouseSecretName' | 'consumer' | 'database' | 'architecture' | 'logRetentionDays' | 'deadLetterRetentionDays'
  >;
  readonly network: Network;
  readonly stream: kinesis.IStream;
}

/** The S3 request-metrics filter id on the dead-letter bucket (the dead-letter alarm counts its PUTs). */
export const DEAD_LETTER_METRICS_FILTER = 'EntireBucket';

/**
 * Everything between the stream and the database: the consumer Lambda and its Kinesis event
 * source mapping, the dead-letter bucket, the database (RDS Postgres, or the secret of an
 * external ClickHouse), and the schema migration that runs on every deploy that changes it.
 */
export class Storage extends Construct {
  public readonly consumer: PoglyticsFunction;
  public readonly migrator: PoglyticsFunction;
  public readonly eventSource: KinesisEventSource;
  public readonly deadLetterBucket: s3.Bucket;
  public readonly accessLogsBucket: s3.Bucket;
  /** The secret the sink reads its connection from (RDS-generated, or the ClickHouse one). */
  public readonly sinkSecret: secretsmanager.ISecret;
  public readonly database: rds.DatabaseInstance | undefined;
  public readonly securityGroup: ec2.SecurityGroup;
  /** Whether the consumer and migrator run in the VPC (see `sinkClientsInVpc`). */
  public readonly clientsInVpc: boolean;
  public readonly migration: CustomResource;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    const { config } = props;

    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(config.deadLetterRetentionDays) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.deadLetterBucket = new s3.Bucket(this, 'DeadLetters', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'dead-letters/',
      lifecycleRules: [
        {
          expiration: Duration.days(config.deadLetterRetentionDays),
          noncurrentVersionExpiration: Duration.days(7),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      // Request metrics: every object PUT (handler dead letters and on-failure records) is counted.
      metrics: [{ id: DEAD_LETTER_METRICS_FILTER }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.securityGroup = new ec2.SecurityGroup(this, 'SinkClients', {
      vpc: props.network.vpc,
      description: 'Poglytics consumer and migrator: outbound to the database and AWS APIs',
      allowAllOutbound: true,
    });

    if (config.sink === 'postgres') {
      this.database = this.createDatabase(props);
      this.database.connections.allowDefaultPortFrom(this.securityGroup, 'consumer and migrator');
      this.sinkSecret = this.database.secret!;
    } else {
      this.database = undefined;
      this.sinkSecret = secretsmanager.Secret.fromSecretNameV2(this, 'ClickHouseSecret', config.clickhouseSecretName);
    }
    const sinkEnvironment = {
      SINK: config.sink,
      [config.sink === 'postgres' ? 'DATABASE_SECRET_ARN' : 'CLICKHOUSE_SECRET_ARN']: this.sinkSecret.secretArn,
    };
    this.clientsInVpc = sinkClientsInVpc(config.sink, props.network.appEgress);
    if (this.clientsInVpc && !props.network.appEgress) props.network.addSecretsManagerEndpoint(this.securityGroup);
    const inVpc = this.clientsInVpc
      ? { vpc: props.network.vpc, vpcSubnets: props.network.appSubnets, securityGroups: [this.securityGroup] }
      : {};

    this.consumer = new PoglyticsFunction(this, 'Consumer', {
      entry: 'lambdas/stream-consumer/handler.ts',
      description: 'Decodes Kinesis records and writes the events into the sink, deduplicated',
      architecture: config.architecture,
      logRetentionDays: config.logRetentionDays,
      memorySize: config.consumer.memoryMiB,
      timeout: Duration.seconds(config.consumer.timeoutSeconds),
      ...inVpc,
      environment: { ...sinkEnvironment, DEAD_LETTER_BUCKET: this.deadLetterBucket.bucketName, DATABASE_POOL_SIZE: '2' },
    });
    this.sinkSecret.grantRead(this.consumer.function);
    // The handler dead-letters undecodable records itself (with the reason); the on-failure
    // destination below grants exactly the s3:PutObject it needs (grantPut would add s3:Abort*).

    this.eventSource = new KinesisEventSource(props.stream, {
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: config.consumer.batchSize,
      maxBatchingWindow: Duration.seconds(config.consumer.maxBatchingWindowSeconds),
      parallelizationFactor: config.consumer.parallelizationFactor,
      bisectBatchOnError: true,
      retryAttempts: config.consumer.retryAttempts,
      maxRecordAge: Duration.minutes(config.consumer.maxRecordAgeMinutes),
      reportBatchItemFailures: true,
      onFailure: new S3DeadLetterDestination(this.deadLetterBucket),
    });
    this.consumer.function.addEventSource(this.eventSource);
    Validations.of(this.consumer.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${this.logicalId(this.deadLetterBucket)}.Arn>/*]`,
      reason: 'Dead letters are new objects with generated keys: s3:PutObject (only) on the objects of the one dead-letter bucket.',
    });

    this.migrator = new PoglyticsFunction(this, 'Migrator', {
      entry: 'lambdas/migrate/handler.ts',
      description: 'Applies the sink schema migrations (CloudFormation custom resource)',
      architecture: config.architecture,
      logRetentionDays: config.logRetentionDays,
      timeout: Duration.minutes(5),
      ...inVpc,
      environment: { ...sinkEnvironment, DATABASE_POOL_SIZE: '1' },
    });
    this.sinkSecret.grantRead(this.migrator.function);

    const provider = new cr.Provider(this, 'MigrationProvider', {
      onEventHandler: this.migrator.function,
      logGroup: new logs.LogGroup(this, 'MigrationProviderLogs', {
        retention: config.logRetentionDays as logs.RetentionDays,
        removalPolicy: RemovalPolicy.RETAIN,
      }),
    });
    this.migration = new CustomResource(this, 'Migration', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::PoglyticsMigration',
      properties: {
        Sink: config.sink,
        // Changes whenever a migration or the sink code changes, which re-runs the migrator.
        SourceHash: sourceHash(['core/sinks', 'lambdas/migrate']),
      },
    });
    if (this.database) this.migration.node.addDependency(this.database);
    Validations.of(provider).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          'The custom resource framework function is created by aws-cdk-lib with the basic execution role; it only relays CloudFormation events to the migrator.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${this.logicalId(this.migrator.function)}.Arn>:*]`,
        reason: 'The framework may invoke any version of the migrator function, and only that function (aws-cdk-lib grant).',
      },
    );
  }

  private logicalId(construct: Construct): string {
    return Stack.of(this).getLogicalId(construct.node.defaultChild as CfnElement);
  }

  private createDatabase(props: StorageProps): rds.DatabaseInstance {
    const { database } = props.config;
    const engine = rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 });
    const instance = new rds.DatabaseInstance(this, 'Database', {
      engine,
      instanceType: new ec2.InstanceType(database.instanceType),
      vpc: props.network.vpc,
      vpcSubnets: props.network.databaseSubnets,
      credentials: rds.Credentials.fromGeneratedSecret('poglytics'),
      databaseName: 'poglytics',
      storageEncrypted: true,
      storageType: rds.StorageType.GP3,
      allocatedStorage: database.allocatedStorageGiB,
      maxAllocatedStorage: Math.max(database.maxAllocatedStorageGiB, database.allocatedStorageGiB),
      publiclyAccessible: false,
      multiAz: database.multiAz,
      deletionProtection: true,
      backupRetention: Duration.days(database.backupRetentionDays),
      removalPolicy: RemovalPolicy.SNAPSHOT,
      autoMinorVersionUpgrade: true,
      cloudwatchLogsExports: ['postgresql'],
      cloudwatchLogsRetention: props.config.logRetentionDays,
      parameterGroup: new rds.ParameterGroup(this, 'DatabaseParameters', {
        engine,
        description: 'Poglytics: TLS required',
        parameters: { 'rds.force_ssl': '1' },
      }),
    });
    Validations.of(instance).acknowledge(
      {
        id: 'AwsSolutions-RDS11',
        reason:
          'The database is reachable only from the consumer/migrator security group in isolated subnets; a non-default port adds no protection.',
      },
      ...(database.multiAz
        ? []
        : [
            {
              id: 'AwsSolutions-RDS3',
              reason:
                'Single-AZ by default for cost; set database.multiAz in the config for production. Ingestion tolerates DB downtime (Kinesis retains, the consumer retries).',
            },
          ]),
    );
    // cloudwatchLogsRetention is applied by aws-cdk-lib's LogRetention singleton function.
    const logRetention = Stack.of(this).node.children.find((c) => c.node.id.startsWith('LogRetention'));
    if (logRetention) {
      Validations.of(logRetention).acknowledge(
        {
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          reason:
            "aws-cdk-lib's LogRetention function (sets the retention of the RDS log group RDS creates itself) comes with the basic execution role.",
        },
        {
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason: "aws-cdk-lib's LogRetention function must act on a log group whose name RDS chooses at run time.",
        },
      );
    }
    Validations.of(instance).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotation is left to the operator (addRotationSingleUser): a rotation mid-batch would fail warm consumer connections until they reconnect.',
    });
    return instance;
  }
}

/**
 * The consumer and migrator run in the VPC when they need something in it (the RDS database) or
 * when it gives them a NAT (a stable egress address a ClickHouse IP allow list can name). A
 * ClickHouse sink with no NAT: outside the VPC, over TLS to ClickHouse, as a NAT-less VPC would
 * leave them no route to it.
 */
export function sinkClientsInVpc(sink: InfraConfig['sink'], appEgress: boolean): boolean {
  return sink === 'postgres' || appEgress;
}
