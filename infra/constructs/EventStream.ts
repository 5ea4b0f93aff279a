import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import { Construct } from 'constructs';
import type { InfraConfig } from '../config.ts';

export interface EventStreamProps {
  readonly kinesis: InfraConfig['kinesis'];
  readonly retentionHours: number;
}

/**
 * The Kinesis Data Stream between the ingesters (and the refresher's snapshots) and the consumer.
 * Encrypted with KMS under the AWS-managed `aws/kinesis` key: no per-key cost, and no
 * `kms:GenerateDataKey*`/`kms:ReEncrypt*` wildcard grants that a customer key would add to every
 * producer and consumer role (cdk-nag AwsSolutions-KDS3 recommends the same).
 */
export class EventStream extends Construct {
  public readonly stream: kinesis.Stream;

  constructor(scope: Construct, id: string, props: EventStreamProps) {
    super(scope, id);
    this.stream = new kinesis.Stream(this, 'Stream', {
      ...(props.kinesis.capacityMode === 'provisioned'
        ? { streamMode: kinesis.StreamMode.PROVISIONED, shardCount: props.kinesis.shardCount }
        : { streamMode: kinesis.StreamMode.ON_DEMAND }),
      retentionPeriod: Duration.hours(props.retentionHours),
      encryption: kinesis.StreamEncryption.MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
