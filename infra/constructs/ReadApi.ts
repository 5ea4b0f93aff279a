import { Duration, RemovalPolicy, Stack, Validations, ArnFormat } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { InfraConfig } from '../config.ts';
import type { Network } from './Network.ts';
import { PoglyticsFunction } from './PoglyticsFunction.ts';
import type { Storage } from './Storage.ts';

export interface ReadApiProps {
  readonly config: Pick<InfraConfig, 'sink' | 'clickhouseReaderSecretName' | 'readApi' | 'architecture' | 'logRetentionDays'>;
  readonly network: Network;
  readonly storage: Storage;
  readonly table: dynamodb.ITable;
}

/** The Postgres role the read service logs in as (infra/README.md: the GRANTs it needs). */
export const READER_USERNAME = 'poglytics_read';

/**
 * The read service (issue 17) on AWS: a regional REST API, throttled stage-wide, whose one proxy
 * integration streams the Lambda's response (STREAM transfer mode), so a channel-day leaves as it
 * is read and an SSE live tail lasts up to 15 minutes. The function reads the database as a
 * read-only user whose secret is its own, and the admin key from a generated secret; it may read
 * those two secrets and the control table's `admin` items (opt-outs, channel changes), nothing else.
 */
export class ReadApi extends Construct {
  public readonly function: PoglyticsFunction;
  public readonly api: apigateway.RestApi;
  public readonly accessLogs: logs.LogGroup;
  /** The read-only database user's connection, in the sink secret's layout. */
  public readonly readerSecret: secretsmanager.ISecret;
  /** {"key": "…"}: API_ADMIN_KEY of the admin routes, generated at deploy time. */
  public readonly adminKeySecret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: ReadApiProps) {
    super(scope, id);
    const { config, storage } = props;

    let readerSecretArnForPolicy: string;
    if (storage.database) {
      const secret = new rds.DatabaseSecret(this, 'ReaderSecret', {
        username: READER_USERNAME,
        dbname: 'poglytics',
      });
      this.readerSecret = secret.attach(storage.database);
      readerSecretArnForPolicy = this.readerSecret.secretArn;
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'The read-only password changes with the role (infra/README.md); an automatic rotation would need the rotation Lambda in the VPC.',
      });
    } else {
      this.readerSecret = secretsmanager.Secret.fromSecretNameV2(this, 'ReaderSecret', config.clickhouseReaderSecretName);
      // A secret named, not created: its ARN ends in six random characters.
      readerSecretArnForPolicy = Stack.of(this).formatArn({
        service: 'secretsmanager',
        resource: 'secret',
        resourceName: `${config.clickhouseReaderSecretName}-??????`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    }
    this.adminKeySecret = new secretsmanager.Secret(this, 'AdminKey', {
      description: 'Poglytics read API: API_ADMIN_KEY of the admin routes (Authorization: Bearer …)',
      generateSecretString: { secretStringTemplate: '{}', generateStringKey: 'key', passwordLength: 48, excludePunctuation: true },
    });
    Validations.of(this.adminKeySecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Rotating the admin key means telling its holders; put-secret-value then a redeploy (infra/README.md) does it by hand.',
    });

    const inVpc = storage.clientsInVpc
      ? { vpc: props.network.vpc, vpcSubnets: props.network.appSubnets, securityGroups: [storage.securityGroup] }
      : {};
    this.function = new PoglyticsFunction(this, 'Handler', {
      entry: 'lambdas/read-api/handler.ts',
      description: 'Read API (justlog/rustlog routes) over the sink, streamed through API Gateway',
      architecture: config.architecture,
      logRetentionDays: config.logRetentionDays,
      memorySize: config.readApi.memoryMiB,
      timeout: Duration.seconds(config.readApi.timeoutSeconds),
      ...inVpc,
      bundling: {
        // The web log viewer ships prebuilt beside the bundle (services/api/serveViewer.ts reads
        // ./viewer/); its in-memory build for a source checkout needs esbuild and stays out.
        externalModules: ['*/scripts/buildViewer.ts'],
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir, outputDir) => [
            `"${process.execPath}" --import tsx "${inputDir}/scripts/buildViewer.ts" "${outputDir}/viewer"`,
          ],
        },
      },
      environment: {
        SINK: config.sink,
        [config.sink === 'postgres' ? 'DATABASE_SECRET_ARN' : 'CLICKHOUSE_SECRET_ARN']: this.readerSecret.secretArn,
        API_ADMIN_KEY_SECRET_ARN: this.adminKeySecret.secretArn,
        CONTROL_TABLE_NAME: props.table.tableName,
        // One request at a time per environment: one connection is all it uses.
        DATABASE_POOL_SIZE: '1',
      },
    });
    // Only the value of the two secrets: no DescribeSecret, no other secret.
    this.function.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [readerSecretArnForPolicy, this.adminKeySecret.secretArn],
      }),
    );
    // Opt-outs (403 for those who asked), opt-out codes and channel changes: the `admin` items only.
    this.function.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        resources: [props.table.tableArn],
        conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['admin'] } },
      }),
    );

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: config.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.api = new apigateway.RestApi(this, 'Api', {
      description: 'Poglytics read API: justlog/rustlog-compatible logs, search, stats, live tail',
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      cloudWatchRole: false,
      deployOptions: {
        throttlingRateLimit: config.readApi.throttlingRateLimit,
        throttlingBurstLimit: config.readApi.throttlingBurstLimit,
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogs),
        accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields(),
        tracingEnabled: true,
      },
      defaultIntegration: new apigateway.LambdaIntegration(this.function.function, {
        proxy: true,
        responseTransferMode: apigateway.ResponseTransferMode.STREAM,
        timeout: Duration.seconds(config.readApi.timeoutSeconds),
        // Only the deployed stage may invoke it, not the console's test-invoke.
        allowTestInvoke: false,
      }),
    });
    this.api.root.addMethod('ANY');
    this.api.root.addProxy({ anyMethod: true });
    Validations.of(this.api).acknowledge(
      {
        id: 'AwsSolutions-APIG2',
        reason: 'One proxy integration: the read service validates every path and parameter itself and answers 400 with the reason.',
      },
      {
        id: 'AwsSolutions-APIG3',
        reason:
          'No WAF ($5 a month and a rule fee for a read-only archive): the stage throttle bounds the load, the admin routes check a 48-character key.',
      },
      {
        id: 'AwsSolutions-APIG4',
        reason:
          'Public by design, as justlog and rustlog are; the admin routes check Authorization: Bearer against the key in Secrets Manager.',
      },
      {
        id: 'AwsSolutions-COG4',
        reason: 'Public by design, as justlog and rustlog are; no user pool: the admin routes are authorized by the service (bearer key).',
      },
      {
        id: 'AwsSolutions-APIG6',
        reason:
          'Execution logging needs an account-wide API Gateway CloudWatch role; access logs (retained) record every request and the function logs its own errors.',
      },
    );
  }
}
