import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { ArnFormat, Stack, type CfnElement } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { ALARM_NAMES } from '../../infra/constructs/Observability.ts';
import { createApp } from '../../infra/createApp.ts';
import type { PoglyticsStack } from '../../infra/PoglyticsStack.ts';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
type Resource = { Type: string; Properties: Record<string, any> };

const BUNDLING_SKIPPED = { 'aws:cdk:bundling-stacks': [] };
/** Action prefixes that touch data (as opposed to logs, tracing or image pulls). */
const DATA_SERVICES = ['kinesis:', 'dynamodb:', 's3:', 'secretsmanager:', 'ecs:', 'rds:', 'kms:', 'lambda:'];

function synth(sink: 'clickhouse' | 'postgres', extra: Record<string, unknown> = {}) {
  const { stack } = createApp({ context: { ...BUNDLING_SKIPPED, sink, ...extra } });
  return { stack, template: Template.fromStack(stack) };
}

const logicalId = (stack: Stack, c: IConstruct) => stack.getLogicalId(c.node.defaultChild as CfnElement);
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

/** Every Allow statement of the IAM policies attached to a role. */
function statementsOfRole(template: Template, roleLogicalId: string): Statement[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Resource[];
  return policies
    .filter((p) => (p.Properties.Roles as unknown[]).some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleLogicalId })))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}

function allStatements(template: Template): Statement[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Resource[];
  const roles = Object.values(template.findResources('AWS::IAM::Role')) as Resource[];
  return [
    ...policies.flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]),
    ...roles.flatMap((r) =>
      ((r.Properties.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[]).flatMap((p) => p.PolicyDocument.Statement),
    ),
  ];
}

/** Asserts every statement of the role is one of the allowed (actions, resource logical id) pairs. */
function assertOnlyAllowed(statements: Statement[], allowed: { actions: RegExp; resource: string | RegExp }[], who: string) {
  assert.ok(statements.length > 0, `${who} has a policy`);
  for (const s of statements) {
    for (const action of actionsOf(s)) {
      const resource = JSON.stringify(s.Resource);
      const ok = allowed.some(
        (a) => a.actions.test(action) && (typeof a.resource === 'string' ? resource.includes(a.resource) : a.resource.test(resource)),
      );
      assert.ok(ok, `${who} must not be allowed ${action} on ${resource}`);
    }
  }
}

for (const sink of ['clickhouse', 'postgres'] as const) {
  describe(`Poglytics stack with the ${sink} sink`, () => {
    let stack: PoglyticsStack;
    let template: Template;
    let ids: { stream: string; table: string; bucket: string; service: string; metricsLogs: string; ingesterLogs: string };

    before(() => {
      ({ stack, template } = synth(sink));
      ids = {
        stream: logicalId(stack, stack.events.stream),
        table: logicalId(stack, stack.control.table),
        bucket: logicalId(stack, stack.storage.deadLetterBucket),
        service: logicalId(stack, stack.ingest.service),
        metricsLogs: logicalId(stack, stack.ingest.metricsLogGroup),
        ingesterLogs: logicalId(stack, stack.ingest.logGroup),
      };
    });

    test('has no cdk-nag AwsSolutions finding that is not acknowledged with a reason', () => {
      const report = new AwsSolutionsChecks().validateScope(stack);
      assert.deepEqual(
        report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`),
        [],
      );
      const acknowledgements = stack.node
        .findAll()
        .flatMap((c) => c.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules'))
        .flatMap((m) => Object.entries(m.data as Record<string, { reason?: string } | string>));
      for (const [id, value] of acknowledgements) {
        const reason = typeof value === 'string' ? value : value?.reason;
        assert.ok(reason && reason.length >= 20, `acknowledgement ${id} carries a reason`);
      }
      const annotations = Annotations.fromStack(stack);
      assert.deepEqual(annotations.findError('*', Match.anyValue()), []);
      assert.deepEqual(annotations.findWarning('*', Match.anyValue()), []);
    });

    test('grants no wildcard action anywhere and no data action on every resource', () => {
      for (const s of allStatements(template)) {
        for (const action of actionsOf(s)) {
          assert.ok(!action.includes('*'), `wildcard action ${action}`);
          if (DATA_SERVICES.some((p) => action.startsWith(p))) {
            const resources = Array.isArray(s.Resource) ? s.Resource : [s.Resource];
            assert.ok(!resources.includes('*'), `${action} is granted on *`);
          }
        }
      }
    });

    test('lets the ingester only put records on its stream and read and write its control table', () => {
      const role = logicalId(stack, stack.ingest.taskDefinition.taskRole);
      assertOnlyAllowed(
        statementsOfRole(template, role),
        [
          { actions: /^kinesis:(PutRecords?|ListShards)$/, resource: ids.stream },
          { actions: /^dynamodb:/, resource: ids.table },
          // The CloudWatch agent sidecar writes the scraped metrics (EMF) into its own log group.
          { actions: /^logs:(CreateLogStream|PutLogEvents|DescribeLogStreams)$/, resource: ids.metricsLogs },
        ],
        'ingester task role',
      );
      const actions = statementsOfRole(template, role).flatMap(actionsOf);
      assert.ok(actions.includes('kinesis:PutRecords') && actions.includes('dynamodb:UpdateItem'));
      assert.ok(!actions.some((a) => /kinesis:GetRecords|s3:|secretsmanager:|ecs:/.test(a)));
    });

    test("lets the consumer only read its stream, write (and, for opt-out sweeps, read and delete) its dead letters, read its database secret and the control table's admin items", () => {
      const secret = stack.resolve(stack.storage.sinkSecret.secretArn);
      const secretRef = sink === 'postgres' ? JSON.stringify(secret) : /secret:poglytics\/clickhouse-\?{6}/;
      const statements = statementsOfRole(template, logicalId(stack, stack.storage.consumer.role));
      assertOnlyAllowed(
        statements,
        [
          { actions: /^kinesis:(Get|Describe|List|SubscribeToShard)/, resource: ids.stream },
          { actions: /^s3:(PutObject|GetObject|ListBucket|DeleteObject)$/, resource: ids.bucket },
          { actions: /^dynamodb:(GetItem|PutItem)$/, resource: ids.table },
          {
            actions: /^secretsmanager:(GetSecretValue|DescribeSecret)$/,
            resource: typeof secretRef === 'string' ? secretRef.slice(1, -1) : secretRef,
          },
          { actions: /^logs:(CreateLogStream|PutLogEvents)$/, resource: logicalId(stack, stack.storage.consumer.logGroup) },
          { actions: /^xray:Put(TraceSegments|TelemetryRecords)$/, resource: '"*"' },
        ],
        'consumer role',
      );
      const actions = statements.flatMap(actionsOf);
      assert.ok(!actions.some((a) => /kinesis:Put|dynamodb:(?!GetItem$|PutItem$)|s3:(Delete(?!Object$)|GetBucket)/.test(a)));
      // Deletes (an item the opt-out sweep left empty) only under the consumer's prefix and Lambda's on-failure records.
      const deletes = statements.filter((st) => actionsOf(st).includes('s3:DeleteObject'));
      assert.equal(deletes.length, 1);
      const deleteResources = JSON.stringify(deletes[0]!.Resource);
      assert.deepEqual(deleteResources.match(/\/[a-z/-]*\*/g)?.sort(), ['/aws/lambda/*', '/dead-letter/*']);
      // The control table only through its `admin` items (opt-outs), never the assignments or leases.
      const dynamo = statements.filter((st) => actionsOf(st).some((a) => a.startsWith('dynamodb:')));
      assert.equal(dynamo.length, 1);
      assert.deepEqual(dynamo[0]!.Condition, { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['admin'] } });
    });

    test('serves the read API from a REST API stage with throttling and access logs, its Lambda integration streaming', () => {
      const api = logicalId(stack, stack.readApi.api);
      const fn = logicalId(stack, stack.readApi.function.function);
      template.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] } });
      template.hasResourceProperties('AWS::ApiGateway::Stage', {
        RestApiId: { Ref: api },
        MethodSettings: [Match.objectLike({ ResourcePath: '/*', HttpMethod: '*', ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 })],
        AccessLogSetting: Match.objectLike({ DestinationArn: { 'Fn::GetAtt': [logicalId(stack, stack.readApi.accessLogs), 'Arn'] } }),
      });
      const accessLogs = template.toJSON().Resources[logicalId(stack, stack.readApi.accessLogs)] as Resource & { DeletionPolicy: string };
      assert.equal(accessLogs.Properties.RetentionInDays, 30);
      assert.equal(accessLogs.DeletionPolicy, 'Retain');
      const methods = Object.values(template.findResources('AWS::ApiGateway::Method')) as Resource[];
      assert.equal(methods.length, 2, 'ANY on / and on /{proxy+}');
      for (const method of methods) {
        assert.equal(method.Properties.HttpMethod, 'ANY');
        const integration = method.Properties.Integration as Record<string, any>;
        assert.equal(integration.Type, 'AWS_PROXY');
        assert.equal(integration.ResponseTransferMode, 'STREAM');
        assert.equal(integration.TimeoutInMillis, 900_000);
        const uri = JSON.stringify(integration.Uri);
        assert.ok(uri.includes('/response-streaming-invocations') && uri.includes(fn), `streams from the read API function: ${uri}`);
      }
      const lambdaFn = template.toJSON().Resources[fn] as Resource;
      assert.equal(lambdaFn.Properties.Timeout, 900);
      assert.equal(lambdaFn.Properties.LoggingConfig.LogGroup.Ref, logicalId(stack, stack.readApi.function.logGroup));
      template.resourceCountIs('AWS::Lambda::Url', 0);
    });

    test("lets the read API only read its two secrets (the read-only user, the admin key) and the control table's admin items", () => {
      const statements = statementsOfRole(template, logicalId(stack, stack.readApi.function.role));
      const adminKey = { Ref: logicalId(stack, stack.readApi.adminKeySecret) };
      const reader =
        sink === 'postgres'
          ? { Ref: logicalId(stack, stack.readApi.readerSecret) }
          : stack.resolve(
              Stack.of(stack).formatArn({
                service: 'secretsmanager',
                resource: 'secret',
                resourceName: 'poglytics/clickhouse-reader-??????',
                arnFormat: ArnFormat.COLON_RESOURCE_NAME,
              }),
            );
      const secrets = statements.filter((st) => actionsOf(st).some((a) => a.startsWith('secretsmanager:')));
      assert.equal(secrets.length, 1);
      assert.deepEqual(secrets[0]!.Action, 'secretsmanager:GetSecretValue');
      assert.deepEqual(secrets[0]!.Resource, [reader, adminKey]);
      const dynamo = statements.filter((st) => actionsOf(st).some((a) => a.startsWith('dynamodb:')));
      assert.equal(dynamo.length, 1);
      assert.deepEqual(dynamo[0]!.Action, ['dynamodb:GetItem', 'dynamodb:PutItem']);
      assert.deepEqual(dynamo[0]!.Resource, { 'Fn::GetAtt': [ids.table, 'Arn'] });
      assert.deepEqual(dynamo[0]!.Condition, { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['admin'] } });
      assertOnlyAllowed(
        statements,
        [
          { actions: /^secretsmanager:GetSecretValue$/, resource: /.*/ },
          { actions: /^dynamodb:(GetItem|PutItem)$/, resource: ids.table },
          { actions: /^logs:(CreateLogStream|PutLogEvents)$/, resource: logicalId(stack, stack.readApi.function.logGroup) },
          { actions: /^xray:Put(TraceSegments|TelemetryRecords)$/, resource: '"*"' },
        ],
        'read API role',
      );
      // Only API Gateway invokes it.
      const permissions = Object.values(template.findResources('AWS::Lambda::Permission')) as Resource[];
      const ofReadApi = permissions.filter((p) =>
        JSON.stringify(p.Properties.FunctionName).includes(logicalId(stack, stack.readApi.function.function)),
      );
      assert.ok(ofReadApi.length > 0);
      assert.ok(
        ofReadApi.every((p) => p.Properties.Principal === 'apigateway.amazonaws.com' && p.Properties.Action === 'lambda:InvokeFunction'),
      );
    });

    test('gives the read API its database user and admin key as secret ARNs, never as values', () => {
      const fn = template.toJSON().Resources[logicalId(stack, stack.readApi.function.function)] as Resource;
      const env = fn.Properties.Environment.Variables as Record<string, unknown>;
      assert.equal(env.API_ADMIN_KEY, undefined);
      assert.deepEqual(env.API_ADMIN_KEY_SECRET_ARN, { Ref: logicalId(stack, stack.readApi.adminKeySecret) });
      assert.equal(env.SINK, sink);
      assert.deepEqual(env.CONTROL_TABLE_NAME, { Ref: ids.table });
      const adminSecret = template.toJSON().Resources[logicalId(stack, stack.readApi.adminKeySecret)] as Resource;
      assert.equal(adminSecret.Properties.SecretString, undefined);
      assert.deepEqual(adminSecret.Properties.GenerateSecretString, {
        SecretStringTemplate: '{}',
        GenerateStringKey: 'key',
        PasswordLength: 48,
        ExcludePunctuation: true,
      });
      const sinkSecret = JSON.stringify(stack.resolve(stack.storage.sinkSecret.secretArn));
      if (sink === 'postgres') {
        // Its own secret, not the owner's, attached to the database (host, port, dbname filled in).
        assert.deepEqual(env.DATABASE_SECRET_ARN, stack.resolve(stack.readApi.readerSecret.secretArn));
        assert.notEqual(JSON.stringify(env.DATABASE_SECRET_ARN), sinkSecret);
        template.hasResourceProperties('AWS::SecretsManager::Secret', {
          GenerateSecretString: Match.objectLike({
            SecretStringTemplate: '{"username":"poglytics_read","dbname":"poglytics"}',
            GenerateStringKey: 'password',
          }),
        });
        template.hasResourceProperties('AWS::SecretsManager::SecretTargetAttachment', {
          TargetId: { Ref: logicalId(stack, stack.storage.database!) },
          TargetType: 'AWS::RDS::DBInstance',
        });
      } else {
        assert.match(JSON.stringify(env.CLICKHOUSE_SECRET_ARN), /secret:poglytics\/clickhouse-reader"/);
        assert.equal(env.DATABASE_SECRET_ARN, undefined);
      }
    });

    test('lets the refresher update only its own ECS service', () => {
      const statements = statementsOfRole(template, logicalId(stack, stack.control.refresher.role));
      const ecs = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('ecs:')));
      assert.equal(ecs.length, 1);
      assert.deepEqual(actionsOf(ecs[0]!).sort(), ['ecs:DescribeServices', 'ecs:UpdateService']);
      assert.deepEqual(ecs[0]!.Resource, { Ref: ids.service });
      assertOnlyAllowed(
        statements,
        [
          { actions: /^ecs:(UpdateService|DescribeServices)$/, resource: ids.service },
          { actions: /^dynamodb:/, resource: ids.table },
          { actions: /^kinesis:(PutRecords?|ListShards)$/, resource: ids.stream },
          { actions: /^secretsmanager:(GetSecretValue|DescribeSecret)$/, resource: /secret:poglytics\/twitch-\?{6}/ },
          { actions: /^logs:(CreateLogStream|PutLogEvents)$/, resource: logicalId(stack, stack.control.refresher.logGroup) },
          { actions: /^xray:Put(TraceSegments|TelemetryRecords)$/, resource: '"*"' },
        ],
        'refresher role',
      );
    });

    test('encrypts the stream, the control table and the dead-letter bucket at rest', () => {
      template.hasResourceProperties('AWS::Kinesis::Stream', {
        StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
        RetentionPeriodHours: 24,
        StreamModeDetails: { StreamMode: 'ON_DEMAND' },
      });
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        SSESpecification: { SSEEnabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      });
      const bucket = template.toJSON().Resources[ids.bucket] as Resource;
      assert.deepEqual(bucket.Properties.BucketEncryption, {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      });
      assert.deepEqual(bucket.Properties.VersioningConfiguration, { Status: 'Enabled' });
      assert.ok(bucket.Properties.LifecycleConfiguration.Rules.length > 0);
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: ids.bucket },
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
        },
      });
    });

    test(
      sink === 'postgres'
        ? 'runs an encrypted, private, protected Postgres'
        : 'creates no database and reads the ClickHouse secret by name',
      () => {
        if (sink === 'postgres') {
          template.resourceCountIs('AWS::RDS::DBInstance', 1);
          template.hasResourceProperties('AWS::RDS::DBInstance', {
            Engine: 'postgres',
            StorageEncrypted: true,
            PubliclyAccessible: false,
            DeletionProtection: true,
            BackupRetentionPeriod: 7,
          });
          template.hasResourceProperties('AWS::RDS::DBParameterGroup', { Parameters: { 'rds.force_ssl': '1' } });
          template.hasResourceProperties('AWS::Lambda::Function', {
            Environment: { Variables: Match.objectLike({ SINK: 'postgres', DATABASE_SECRET_ARN: Match.anyValue() }) },
          });
        } else {
          template.resourceCountIs('AWS::RDS::DBInstance', 0);
          template.hasResourceProperties('AWS::Lambda::Function', {
            Environment: { Variables: Match.objectLike({ SINK: 'clickhouse', CLICKHOUSE_SECRET_ARN: Match.anyValue() }) },
          });
        }
      },
    );

    test('maps the stream to the consumer with partial failures, bisect, bounded retries and an S3 on-failure destination', () => {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 10,
        MaximumRecordAgeInSeconds: 21_600,
        ParallelizationFactor: 2,
        BatchSize: 500,
        MaximumBatchingWindowInSeconds: 5,
        StartingPosition: 'TRIM_HORIZON',
        EventSourceArn: { 'Fn::GetAtt': [ids.stream, 'Arn'] },
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [ids.bucket, 'Arn'] } } },
      });
    });

    test('raises every named alarm to the SNS topic', () => {
      const topic = logicalId(stack, stack.observability.topic);
      const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Resource[];
      for (const name of ALARM_NAMES) {
        const alarm = alarms.find((a) => String(a.Properties.AlarmDescription).startsWith(`[${name}]`));
        assert.ok(alarm, `alarm ${name} exists`);
        assert.deepEqual(alarm.Properties.AlarmActions, [{ Ref: topic }]);
      }
      const byName = (n: string) => alarms.find((a) => String(a.Properties.AlarmDescription).startsWith(`[${n}]`))!.Properties;
      assert.equal(byName('IteratorAge').MetricName, 'IteratorAge');
      assert.equal(byName('DeadLetters').MetricName, 'PutRequests');
      assert.equal(byName('NoEvents').MetricName, 'twitch_scraper_messages_total');
      assert.equal(byName('NoEvents').TreatMissingData, 'breaching');
      assert.equal(byName('RefresherFailures').MetricName, 'Errors');
      const tasks = JSON.stringify(byName('TasksBelowDesired').Metrics);
      assert.ok(tasks.includes('"RunningTaskCount"') && tasks.includes('"DesiredTaskCount"') && tasks.includes('desired - running'));
      template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    });

    test('leaves the desired task count to the refresher and runs the ingester as non-root on ARM64', () => {
      const service = template.toJSON().Resources[ids.service] as Resource;
      assert.equal(service.Properties.DesiredCount, undefined);
      template.hasResourceProperties('AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }] });
      const task = Object.values(template.findResources('AWS::ECS::TaskDefinition'))[0] as Resource;
      assert.deepEqual(task.Properties.RuntimePlatform, { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' });
      const [ingester, agent] = task.Properties.ContainerDefinitions as Record<string, any>[];
      assert.equal(ingester!.User, '1000:1000');
      const env = Object.fromEntries((ingester!.Environment as { Name: string; Value: unknown }[]).map((e) => [e.Name, e.Value]));
      assert.ok(ingester!.StopTimeout * 1000 >= Number(env.SHUTDOWN_DEADLINE_MS) + 2000, 'stop timeout exceeds the shutdown deadline');
      // A crash restarts the container in the same task, on the same disk, so the journal is replayed.
      assert.deepEqual(ingester!.RestartPolicy, { Enabled: true, IgnoredExitCodes: [2], RestartAttemptPeriod: 60 });
      assert.ok(env.JOURNAL_DIR);
      assert.equal(env.METRICS_PORT, '9091');
      // Anonymous IRC: the ingester gets no Twitch credentials, and its execution role cannot read them.
      assert.equal(ingester!.Secrets, undefined);
      const executionActions = statementsOfRole(template, logicalId(stack, stack.ingest.taskDefinition.executionRole!)).flatMap(actionsOf);
      assert.ok(!executionActions.some((a) => a.startsWith('secretsmanager:')), 'execution role reads no secret');
      assert.equal(ingester!.LogConfiguration.Options['awslogs-group'].Ref, ids.ingesterLogs);
      const agentEnv = Object.fromEntries((agent!.Environment as { Name: string; Value: unknown }[]).map((e) => [e.Name, e.Value]));
      assert.match(JSON.stringify(agentEnv.CW_CONFIG_CONTENT), /Poglytics/);
      assert.match(String(agentEnv.PROMETHEUS_CONFIG_CONTENT), /localhost:9091/);
      assert.match(String(agent!.Image), /^public\.ecr\.aws\/cloudwatch-agent\/cloudwatch-agent:1\.\d+/, 'the sidecar image is pinned');
    });

    test('gives every function the house defaults and schedules the refresher', () => {
      const functions = Object.values(template.findResources('AWS::Lambda::Function')) as Resource[];
      const ours = functions.filter((f) => f.Properties.Environment?.Variables?.NODE_OPTIONS === '--enable-source-maps');
      assert.equal(ours.length, 5, 'refresher, consumer, migrator, lease reaper, read API');
      for (const f of ours) {
        assert.equal(f.Properties.Runtime, 'nodejs22.x');
        assert.deepEqual(f.Properties.Architectures, ['arm64']);
        assert.deepEqual(f.Properties.TracingConfig, { Mode: 'Active' });
        assert.ok(f.Properties.LoggingConfig.LogGroup);
      }
      template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)', State: 'ENABLED' });
      template.hasResourceProperties('Custom::PoglyticsMigration', { Sink: sink, SourceHash: Match.stringLikeRegexp('^[0-9a-f]{16}$') });
    });
  });
}

describe('Poglytics stack configuration', () => {
  test('builds x86_64 tasks and functions when asked', () => {
    const { template } = synth('clickhouse', { poglytics: { architecture: 'x86_64' } });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { RuntimePlatform: { CpuArchitecture: 'X86_64' } });
    const fns = (Object.values(template.findResources('AWS::Lambda::Function')) as Resource[]).filter(
      (f) => f.Properties.Environment?.Variables?.NODE_OPTIONS === '--enable-source-maps',
    );
    assert.equal(fns.length, 5, 'refresher, consumer, migrator, lease reaper, read API');
    assert.ok(fns.every((f) => f.Properties.Architectures[0] === 'x86_64'));
  });

  test('gives every Kinesis writer the same record compression, brotli unless told otherwise', () => {
    const writers = (template: Template) => {
      const task = Object.values(template.findResources('AWS::ECS::TaskDefinition'))[0] as Resource;
      const ingesterEnv = (task.Properties.ContainerDefinitions[0].Environment as { Name: string; Value: unknown }[]).find(
        (e) => e.Name === 'KINESIS_COMPRESSION',
      )?.Value;
      const refresher = (Object.values(template.findResources('AWS::Lambda::Function')) as Resource[]).find(
        (f) => f.Properties.Environment?.Variables?.TWITCH_SECRET_ARN,
      );
      return [ingesterEnv, refresher?.Properties.Environment.Variables.KINESIS_COMPRESSION];
    };
    assert.deepEqual(writers(synth('clickhouse').template), ['brotli', 'brotli']);
    assert.deepEqual(writers(synth('clickhouse', { poglytics: { recordCompression: 'gzip' } }).template), ['gzip', 'gzip']);
  });

  test('uses a provisioned stream and e-mails alarms when configured', () => {
    const { template } = synth('clickhouse', {
      poglytics: { kinesis: { capacityMode: 'provisioned', shardCount: 3 } },
      alarmEmail: 'ops@example.com',
    });
    template.hasResourceProperties('AWS::Kinesis::Stream', { ShardCount: 3, StreamModeDetails: { StreamMode: 'PROVISIONED' } });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
  });
});
