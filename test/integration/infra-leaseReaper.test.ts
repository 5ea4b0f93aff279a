import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { createApp } from '../../infra/createApp.ts';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };
type Resource = { Type: string; Properties: Record<string, any> };

const synth = () => {
  const { stack } = createApp({ context: { 'aws:cdk:bundling-stacks': [] } });
  return { stack, template: Template.fromStack(stack) };
};

describe('LeaseReaper (no blind gap after a crash on AWS)', () => {
  test('an EventBridge rule sends STOPPED tasks of the ingester service to the reaper', () => {
    // Prepare
    const { stack, template } = synth();
    const reaperId = stack.getLogicalId(stack.leaseReaper.reaper.function.node.defaultChild as never);
    // Assess
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ecs'],
        'detail-type': ['ECS Task State Change'],
        detail: {
          clusterArn: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^IngestCluster'), 'Arn'] }],
          group: [{ 'Fn::Join': ['', ['service:', { 'Fn::GetAtt': [Match.stringLikeRegexp('^IngestService'), 'Name'] }]] }],
          lastStatus: ['STOPPED'],
        },
      },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [reaperId, 'Arn'] } })],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ CONTROL_TABLE_NAME: { Ref: Match.stringLikeRegexp('^ControlTable') } }) },
      Description: Match.stringLikeRegexp('stopped ingester'),
    });
  });

  test('the reaper may only GetItem, Query and UpdateItem on the control table', () => {
    // Prepare
    const { stack, template } = synth();
    const roleId = stack.getLogicalId(stack.leaseReaper.reaper.role.node.defaultChild as never);
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Resource[];
    // Act
    const statements = policies
      .filter((p) => (p.Properties.Roles as unknown[]).some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId })))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
    const dataStatements = statements.filter((s) =>
      (Array.isArray(s.Action) ? s.Action : [s.Action]).some((a) => !a.startsWith('logs:') && !a.startsWith('xray:')),
    );
    // Assess
    assert.equal(dataStatements.length, 1, JSON.stringify(dataStatements));
    assert.deepEqual([...(dataStatements[0]!.Action as string[])].sort(), ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    assert.deepEqual(dataStatements[0]!.Resource, {
      'Fn::GetAtt': [stack.getLogicalId(stack.control.table.node.defaultChild as never), 'Arn'],
    });
  });

  test('ingesters and the refresher capture every channel twice by default', () => {
    const { template } = synth();
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: Match.arrayWith([
        Match.objectLike({ Environment: Match.arrayWith([{ Name: 'CAPTURE_REPLICAS', Value: '2' }]) }),
      ]),
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ CAPTURE_REPLICAS: '2', STANDBY_TASKS: '1' }) },
    });
  });
});
