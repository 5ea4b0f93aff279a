import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { Stack, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { deployedConfiguration, productionBill, productionConfig } from '../../bench/productionBill.ts';
import { joinFloorMinutes } from '../../bench/scaleModel.ts';
import { sinkClientsInVpc } from '../../infra/constructs/Storage.ts';
import { createApp } from '../../infra/createApp.ts';
import type { PoglyticsStack } from '../../infra/PoglyticsStack.ts';

type Resource = { Type: string; Properties: Record<string, any> };
const BUNDLING_SKIPPED = { 'aws:cdk:bundling-stacks': [] };

function synth(context: Record<string, unknown>) {
  const { stack, config } = createApp({ context: { ...BUNDLING_SKIPPED, ...context } });
  return { stack, config, template: Template.fromStack(stack) };
}

const only = (template: Template, type: string): Resource => {
  const found = Object.values(template.findResources(type)) as Resource[];
  assert.equal(found.length, 1, `one ${type}`);
  return found[0]!;
};
const logicalId = (stack: Stack, c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as CfnElement);

/** Logical ids of the subnets of one subnet group of the stack's VPC. */
function subnetIds(stack: PoglyticsStack, group: 'public' | 'app'): string[] {
  return stack.network.vpc.selectSubnets({ subnetGroupName: group }).subnets.map((s) => logicalId(stack, s));
}

function nagViolations(stack: Stack): string[] {
  return new AwsSolutionsChecks()
    .validateScope(stack)
    .violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
}

describe('the production stage deploys the configuration the monthly bill chose', () => {
  let stack: PoglyticsStack;
  let template: Template;
  before(() => ({ stack, template } = synth({ stage: 'production' })));

  test('production.json says what the bill chose (slots per task, task size, disk, network, Kinesis)', () => {
    // Prepare
    const { bill } = productionBill();
    const chosen = bill.chosen.configuration;
    // Act
    const deployed = deployedConfiguration(productionConfig());
    // Assess
    const { spot, ...priced } = chosen;
    assert.deepEqual(deployed, priced);
    assert.equal(spot, 'none');
  });

  test('the synthesized ingester task and service match the priced size, subnets and public IP', () => {
    const chosen = productionBill().bill.chosen.configuration;
    const task = only(template, 'AWS::ECS::TaskDefinition').Properties;
    assert.equal(task.Cpu, String(chosen.task.cpu));
    assert.equal(task.Memory, String(chosen.task.memoryMiB));
    assert.equal(task.EphemeralStorage?.SizeInGiB ?? 20, chosen.ephemeralStorageGiB);
    const service = only(template, 'AWS::ECS::Service').Properties;
    // No Spot in the chosen configuration: plain Fargate, no capacity provider strategy.
    assert.equal(service.LaunchType, 'FARGATE');
    assert.equal(service.CapacityProviderStrategy, undefined);
    const vpcConfig = service.NetworkConfiguration.AwsvpcConfiguration;
    const isPublic = chosen.network.ingesterSubnets === 'public';
    assert.equal(vpcConfig.AssignPublicIp, isPublic ? 'ENABLED' : 'DISABLED');
    const subnets = (vpcConfig.Subnets as { Ref: string }[]).map((s) => s.Ref).sort();
    assert.deepEqual(subnets, subnetIds(stack, isPublic ? 'public' : 'app').sort());
  });

  test('the ingester tasks serve the priced slots per task, and the refresher counts tasks with the same figure and captures the priced channels', () => {
    const { inputs, bill } = productionBill();
    const { slotsPerTask } = bill.chosen.configuration;
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: Match.arrayWith([
        Match.objectLike({ Environment: Match.arrayWith([{ Name: 'SLOTS_PER_TASK', Value: String(slotsPerTask) }]) }),
      ]),
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          SLOTS_PER_TASK: String(slotsPerTask),
          CAPTURE_REPLICAS: String(inputs.replicas),
          MAX_CHANNELS: String(inputs.channels),
        }),
      },
    });
  });

  test('an ingester connection joins its channels in a quarter of the 20-minute cold start, at the real JOIN limit', () => {
    const { channelsPerConnection } = productionConfig();
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: Match.arrayWith([
        Match.objectLike({ Environment: Match.arrayWith([{ Name: 'CHANNELS_PER_CONNECTION', Value: String(channelsPerConnection) }]) }),
      ]),
    });
    // A connection dropped mid-run joins its channels again from the first: this is also what one drop costs.
    assert.ok(
      joinFloorMinutes(channelsPerConnection) <= 5,
      `${channelsPerConnection} channels take ${joinFloorMinutes(channelsPerConnection)} min`,
    );
  });

  test('the synthesized VPC and stream match the priced NAT count and Kinesis mode', () => {
    const chosen = productionBill().bill.chosen.configuration;
    template.resourceCountIs('AWS::EC2::NatGateway', chosen.network.natGateways);
    const stream = only(template, 'AWS::Kinesis::Stream').Properties;
    if (chosen.kinesis.capacityMode === 'provisioned') {
      assert.equal(stream.StreamModeDetails.StreamMode, 'PROVISIONED');
      assert.equal(stream.ShardCount, chosen.kinesis.shardCount);
    } else {
      assert.equal(stream.StreamModeDetails.StreamMode, 'ON_DEMAND');
    }
  });

  test('the ingester security group has no inbound rule', () => {
    const groups = Object.values(template.findResources('AWS::EC2::SecurityGroup')) as Resource[];
    const ingester = groups.find((g) => String(g.Properties.GroupDescription).startsWith('Poglytics ingester'));
    assert.ok(ingester);
    assert.equal(ingester.Properties.SecurityGroupIngress, undefined);
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
  });

  test('passes cdk-nag with no unacknowledged finding', () => {
    assert.deepEqual(nagViolations(stack), []);
  });
});

describe('ingesters in public subnets with no NAT gateway', () => {
  for (const sink of ['clickhouse', 'postgres'] as const) {
    test(`deploys with a public IP per task and no inbound rule (${sink} sink), cdk-nag clean`, () => {
      // Prepare, Act
      const { stack, template } = synth({ sink, poglytics: { network: { ingesterSubnets: 'public', natGateways: 0 } } });
      // Assess
      template.resourceCountIs('AWS::EC2::NatGateway', 0);
      const vpcConfig = only(template, 'AWS::ECS::Service').Properties.NetworkConfiguration.AwsvpcConfiguration;
      assert.equal(vpcConfig.AssignPublicIp, 'ENABLED');
      assert.deepEqual((vpcConfig.Subnets as { Ref: string }[]).map((s) => s.Ref).sort(), subnetIds(stack, 'public').sort());
      // Postgres: the database and the Secrets Manager endpoint admit the sink clients' group, nothing else.
      template.resourceCountIs('AWS::EC2::SecurityGroupIngress', sink === 'postgres' ? 2 : 0);
      const consumer = template.findResources('AWS::Lambda::Function', {
        Properties: { Description: 'Decodes Kinesis records and writes the events into the sink, deduplicated' },
      });
      const inVpc = (Object.values(consumer)[0] as Resource).Properties.VpcConfig !== undefined;
      assert.equal(inVpc, sinkClientsInVpc(sink, false));
      // The Postgres consumer, in isolated subnets, reads its secret through PrivateLink.
      const interfaceEndpoints = Object.values(template.findResources('AWS::EC2::VPCEndpoint')).filter(
        (e) => (e as Resource).Properties.VpcEndpointType === 'Interface',
      );
      assert.equal(interfaceEndpoints.length, sink === 'postgres' ? 1 : 0);
      assert.deepEqual(nagViolations(stack), []);
    });
  }

  test('refuses private ingester subnets without a NAT gateway', () => {
    assert.throws(
      () => synth({ poglytics: { network: { ingesterSubnets: 'private', natGateways: 0 } } }),
      /network\.natGateways: ingesters in private subnets reach Twitch IRC only through a NAT gateway/,
    );
  });
});
