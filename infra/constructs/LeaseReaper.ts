import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { InfraConfig } from '../config.ts';
import { PoglyticsFunction } from './PoglyticsFunction.ts';

export interface LeaseReaperProps {
  readonly config: Pick<InfraConfig, 'architecture' | 'logRetentionDays'>;
  readonly table: dynamodb.ITable;
  readonly cluster: ecs.ICluster;
  readonly service: ecs.IBaseService;
}

/**
 * No blind gap after a crash on AWS: when an ingester task STOPS (crash, OOM, failed health
 * check, spot-like reclaim, deploy), EventBridge invokes a small Lambda that expires the leases
 * the task still holds (core/control/reapStoppedTask.ts), so a standby takes its slot within its
 * poll period (2 s) instead of after the 15 s lease. A task that shut down cleanly released its
 * lease already; the reaper then finds nothing. Least privilege: GetItem, Query and UpdateItem on
 * the control table, nothing else.
 */
export class LeaseReaper extends Construct {
  public readonly reaper: PoglyticsFunction;
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: LeaseReaperProps) {
    super(scope, id);
    this.reaper = new PoglyticsFunction(this, 'Function', {
      entry: 'lambdas/lease-reaper/handler.ts',
      description: 'Expires the shard leases of a stopped ingester task so a standby takes over at once',
      architecture: props.config.architecture,
      logRetentionDays: props.config.logRetentionDays,
      memorySize: 256,
      timeout: Duration.seconds(30),
      // A missed reap costs at most one lease period (the backstop); two retries are plenty.
      retryAttempts: 2,
      environment: { CONTROL_TABLE_NAME: props.table.tableName },
    });
    this.reaper.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ExpireStoppedTaskLeases',
        actions: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
        resources: [props.table.tableArn],
      }),
    );
    this.rule = new events.Rule(this, 'TaskStopped', {
      description: 'An ingester task stopped: expire its shard leases',
      eventPattern: {
        source: ['aws.ecs'],
        detailType: ['ECS Task State Change'],
        detail: { clusterArn: [props.cluster.clusterArn], group: [`service:${props.service.serviceName}`], lastStatus: ['STOPPED'] },
      },
      targets: [new targets.LambdaFunction(this.reaper.function, { retryAttempts: 2, maxEventAge: Duration.minutes(5) })],
    });
  }
}
