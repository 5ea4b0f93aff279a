import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import {
  prometheusScrapeConfig,
  cloudWatchAgentConfig,
  INGESTER_CLOUDWATCH_METRICS,
} from '../../infra/constructs/ingesterMetricsAgentConfig.ts';
import { EventStream } from '../../infra/constructs/EventStream.ts';
import { Network } from '../../infra/constructs/Network.ts';
import { PoglyticsFunction } from '../../infra/constructs/PoglyticsFunction.ts';
import { createMetrics } from '../../core/metrics.ts';

const newStack = () => new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Test');

describe('PoglyticsFunction', () => {
  test('applies the house defaults: Node 22, ARM64, tracing, source maps, its own log group with retention', () => {
    const stack = newStack();
    new PoglyticsFunction(stack, 'Fn', { entry: 'lambdas/migrate/handler.ts', logRetentionDays: 14 });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      TracingConfig: { Mode: 'Active' },
      Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps' } },
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^FnLogs') } },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 14 });
    // Its role writes only to its own log group: no AWSLambdaBasicExecutionRole.
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
  });

  test('merges caller settings into the defaults instead of replacing them', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      natGateways: 0,
      subnetConfiguration: [{ name: 'i', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    });
    new PoglyticsFunction(stack, 'Fn', {
      entry: 'lambdas/migrate/handler.ts',
      logRetentionDays: 7,
      architecture: 'x86_64',
      timeout: Duration.minutes(2),
      environment: { SINK: 'postgres' },
      vpc,
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Architectures: ['x86_64'],
      Timeout: 120,
      Runtime: 'nodejs22.x',
      Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps', SINK: 'postgres' } },
      VpcConfig: Match.objectLike({ SubnetIds: Match.anyValue() }),
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: [
        Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([Match.stringLikeRegexp('AWSLambdaVPCAccessExecutionRole')])]) }),
      ],
    });
  });
});

describe('EventStream', () => {
  test('encrypts with the AWS-managed key and uses on-demand capacity by default', () => {
    const stack = newStack();
    new EventStream(stack, 'Events', { kinesis: { capacityMode: 'on-demand' }, retentionHours: 48 });
    Template.fromStack(stack).hasResourceProperties('AWS::Kinesis::Stream', {
      StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
      StreamModeDetails: { StreamMode: 'ON_DEMAND' },
      RetentionPeriodHours: 48,
      ShardCount: Match.absent(),
    });
  });

  test('uses fixed shards when provisioned', () => {
    const stack = newStack();
    new EventStream(stack, 'Events', { kinesis: { capacityMode: 'provisioned', shardCount: 2 }, retentionHours: 24 });
    Template.fromStack(stack).hasResourceProperties('AWS::Kinesis::Stream', {
      ShardCount: 2,
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
      StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
    });
  });
});

describe('Network', () => {
  test('has public, private-with-egress and isolated subnets, gateway endpoints and flow logs', () => {
    const stack = newStack();
    new Network(stack, 'Network', { network: { ingesterSubnets: 'private', natGateways: 1 }, logRetentionDays: 30 });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    template.resourceCountIs('AWS::EC2::Subnet', 6);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 2);
    template.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  test('without a NAT gateway has no route to the internet from the app subnets', () => {
    const stack = newStack();
    const network = new Network(stack, 'Network', { network: { ingesterSubnets: 'public', natGateways: 0 }, logRetentionDays: 30 });
    network.addSecretsManagerEndpoint(new ec2.SecurityGroup(stack, 'Clients', { vpc: network.vpc }));
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::Subnet', 6);
    assert.equal(network.appEgress, false);
    assert.equal(network.ingestersPublic, true);
    // Only the public subnets' route tables reach the internet gateway.
    template.resourceCountIs('AWS::EC2::Route', 2);
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface', PrivateDnsEnabled: true });
  });
});

describe('ingester metrics agent config', () => {
  test('scrapes the metrics port and exports only series that core/metrics.ts defines', async () => {
    const scrape = JSON.parse(prometheusScrapeConfig(9091)) as { scrape_configs: { static_configs: { targets: string[] }[] }[] };
    assert.deepEqual(scrape.scrape_configs[0]!.static_configs[0]!.targets, ['localhost:9091']);
    const agent = JSON.parse(cloudWatchAgentConfig('group')) as {
      logs: { metrics_collected: { prometheus: { emf_processor: { metric_namespace: string } } } };
    };
    assert.equal(agent.logs.metrics_collected.prometheus.emf_processor.metric_namespace, 'Poglytics');
    const metrics = createMetrics(undefined, { defaultMetrics: false });
    const defined = new Map((await metrics.registry.getMetricsAsJSON()).map((m) => [m.name, String(m.type)]));
    for (const name of INGESTER_CLOUDWATCH_METRICS) {
      assert.ok(defined.has(name), `${name} is defined in core/metrics.ts`);
      assert.notEqual(defined.get(name), 'histogram', `${name}: the CloudWatch agent drops histograms`);
    }
  });
});
