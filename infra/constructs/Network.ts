import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { InfraConfig } from '../config.ts';

export interface NetworkProps {
  readonly network: InfraConfig['network'];
  readonly logRetentionDays: number;
}

/** Availability Zones of the VPC (bench/billInputs.ts prices NAT and cross-zone traffic for this many). */
export const AVAILABILITY_ZONES = 2;

/**
 * The VPC, in three subnet groups per zone: `public` (the NAT gateways, and the ingester tasks
 * when `network.ingesterSubnets` is 'public'), `app` (private with egress through the NAT for
 * the ingesters and sink clients; isolated when there is no NAT) and `data` (isolated, the
 * database). Gateway endpoints keep S3 and DynamoDB traffic off the NAT. All traffic is
 * recorded in VPC flow logs.
 */
export class Network extends Construct {
  public readonly vpc: ec2.Vpc;
  public readonly flowLogGroup: logs.LogGroup;
  /** Where the ingester tasks run; `ingestersPublic` says whether they get a public IP. */
  public readonly ingesterSubnets: ec2.SubnetSelection;
  public readonly ingestersPublic: boolean;
  /** Whether the app subnets reach the internet (through a NAT gateway). */
  public readonly appEgress: boolean;
  public readonly appSubnets: ec2.SubnetSelection = { subnetGroupName: 'app' };
  public readonly databaseSubnets: ec2.SubnetSelection = { subnetGroupName: 'data' };

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const { natGateways, ingesterSubnets } = props.network;
    this.appEgress = natGateways > 0;
    this.ingestersPublic = ingesterSubnets === 'public';
    this.ingesterSubnets = this.ingestersPublic ? { subnetGroupName: 'public' } : this.appSubnets;
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: AVAILABILITY_ZONES,
      natGateways,
      // Nothing uses the default security group (every resource gets its own), so no custom
      // resource Lambda is spent on stripping its rules.
      restrictDefaultSecurityGroup: false,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'app', subnetType: this.appEgress ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 20 },
        { name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      gatewayEndpoints: {
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
        DynamoDB: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
      },
    });
    this.flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });
  }

  /** For clients in the app subnets when they have no NAT: Secrets Manager over PrivateLink, open to those clients only. */
  addSecretsManagerEndpoint(clients: ec2.IConnectable): ec2.InterfaceVpcEndpoint {
    const endpoint = this.vpc.addInterfaceEndpoint('SecretsManager', {
      service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
      subnets: this.appSubnets,
      privateDnsEnabled: true,
      open: false,
    });
    endpoint.connections.allowDefaultPortFrom(clients, 'sink clients read their secret');
    return endpoint;
  }
}
