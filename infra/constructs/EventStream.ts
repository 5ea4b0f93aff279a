import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { InfraConfig } from '../config.ts';

export interface EventStreamProps {
  readonly kinesis: InfraConfig['kinesis'];
  readonly retentionHours: number;
  readonly encryption: 'managed' | 'kms';
}

/** The Kinesis Data Stream between the ingesters (and the refresher's snapshots) and the consumer. */
export class EventStream extends Construct {
  public readonly stream: kinesis.Stream;
  public readonly key: kms.Key | undefined;

  constructor(scope: Construct, id: string, props: EventStreamProps) {
    super(scope, id);
    this.key =
      props.encryption === 'kms'
        ? new kms.Key(this, 'Key', { enableKeyRotation: true, description: 'Poglytics event stream', removalPolicy: RemovalPolicy.RETAIN })
        : undefined;
    const provisioned = props.kinesis.capacityMode === 'provisioned';
    this.stream = new kinesis.Stream(this, 'Stream', {
      streamMode: provisioned ? kinesis.StreamMode.PROVISIONED : kinesis.StreamMode.ON_DEMAND,
      ...(props.kinesis.capacityMode === 'provisioned' ? { shardCount: props.kinesis.shardCount } : {}),
      retentionPeriod: Duration.hours(props.retentionHours),
      ...(this.key
        ? { encryption: kinesis.StreamEncryption.KMS, encryptionKey: this.key }
        : { encryption: kinesis.StreamEncryption.MANAGED }),
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
