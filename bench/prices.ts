/**
 * AWS list prices used by the cost models: us-east-1, ARM64 where it applies, on-demand unless
 * named otherwise. This machine has no network, so nothing is fetched: each price is as the team
 * last read it on `readOn`, from the pricing page named in `PRICE_SOURCES`. Check them before
 * quoting a bill. Fargate Spot has no list price (it moves with spare capacity): the model assumes
 * `fargateSpotDiscount` off the on-demand ARM price.
 */
export const PRICES = {
  readOn: '2026-11-29',
  region: 'us-east-1',
  fargateArmVcpuHour: 0.03238,
  fargateArmGbHour: 0.00356,
  /** Ephemeral storage above the free 20 GiB, per GiB-hour. */
  fargateEphemeralGbHour: 0.000111,
  /** Assumption, not a list price: Fargate Spot ARM at half the on-demand ARM rate. */
  fargateSpotDiscount: 0.5,
  /** Kinesis on-demand: per GB written, each record rounded up to the next KiB. */
  kinesisOnDemandWriteGb: 0.08,
  /** Kinesis on-demand: per GB read by the standard (shared-throughput) consumer. */
  kinesisOnDemandReadGb: 0.04,
  kinesisOnDemandStreamHour: 0.04,
  /** Kinesis on-demand: data kept past 24 h, per GB-month. */
  kinesisOnDemandRetentionGbMonth: 0.1,
  kinesisShardHour: 0.015,
  /** Provisioned: per million 25 KB PUT payload units (a record is rounded up to whole units). */
  kinesisPutUnitsPerMillion: 0.014,
  /** Provisioned: retention past 24 h (up to 7 days), per shard-hour. */
  kinesisExtendedRetentionShardHour: 0.02,
  lambdaRequestsPerMillion: 0.2,
  /** API Gateway REST API requests, first 333 million a month (the read API; HTTP APIs are $1.00 but cannot stream). */
  apiGatewayRestRequestsPerMillion: 3.5,
  lambdaArmGbSecond: 0.0000133334,
  natGatewayHour: 0.045,
  natGatewayGb: 0.045,
  /** Between Availability Zones: charged on each side. */
  crossAzGbEachWay: 0.01,
  publicIpv4Hour: 0.005,
  interfaceEndpointAzHour: 0.01,
  interfaceEndpointGb: 0.01,
  dynamoWriteUnitsPerMillion: 0.625,
  dynamoReadUnitsPerMillion: 0.125,
  cloudwatchMetricMonth: 0.3,
  cloudwatchLogsIngestGb: 0.5,
  /** Vended logs (VPC flow logs) into CloudWatch Logs, first 10 TB. */
  cloudwatchVendedLogsIngestGb: 0.5,
  cloudwatchLogsStorageGbMonth: 0.03,
  cloudwatchAlarmMonth: 0.1,
  xrayTracesPerMillion: 5,
  xrayFreeTracesPerMonth: 100_000,
  s3StandardGbMonth: 0.023,
  s3PutPer1000: 0.005,
  secretMonth: 0.4,
  secretApiCallsPer10k: 0.05,
  ecrGbMonth: 0.1,
  ebsGp3GbMonth: 0.08,
  rdsGp3GbMonth: 0.115,
  /** EC2 / RDS on-demand hourly rates of the instance types the database bill uses. */
  ec2HourByType: { 'r7g.large': 0.1071, 'r7g.xlarge': 0.2142, 'm7g.large': 0.0816 } as Record<string, number>,
  rdsHourByType: { 'db.m7g.large': 0.168, 'db.r7g.large': 0.239, 'db.t4g.micro': 0.016 } as Record<string, number>,
  /** Not AWS: ClickHouse Cloud (Basic tier, AWS us-east-1) storage per TiB-month and smallest service per month. */
  clickhouseCloudStorageTibMonth: 25.3,
  clickhouseCloudSmallestServiceMonth: 66.52,
} as const;

export type Prices = typeof PRICES;

/** The page each group of prices was read from (the README's bill cites these). */
export const PRICE_SOURCES = {
  fargate: 'aws.amazon.com/fargate/pricing (Linux/ARM, ephemeral storage; Spot: dynamic, assumed 50 % off)',
  kinesis: 'aws.amazon.com/kinesis/data-streams/pricing (on-demand and provisioned tabs)',
  lambda: 'aws.amazon.com/lambda/pricing (Arm)',
  apiGateway: 'aws.amazon.com/api-gateway/pricing (REST APIs)',
  vpc: 'aws.amazon.com/vpc/pricing (NAT gateway, public IPv4 address, PrivateLink interface endpoints)',
  dataTransfer: 'aws.amazon.com/ec2/pricing/on-demand (data transfer within the region)',
  dynamodb: 'aws.amazon.com/dynamodb/pricing/on-demand (after the November 2024 reduction)',
  cloudwatch: 'aws.amazon.com/cloudwatch/pricing (metrics, logs, vended logs, alarms)',
  xray: 'aws.amazon.com/xray/pricing',
  s3: 'aws.amazon.com/s3/pricing',
  secretsManager: 'aws.amazon.com/secrets-manager/pricing',
  ecr: 'aws.amazon.com/ecr/pricing',
  ebs: 'aws.amazon.com/ebs/pricing (gp3)',
  rds: 'aws.amazon.com/rds/postgresql/pricing (gp3 storage, Graviton instances)',
  clickhouseCloud: 'clickhouse.com/pricing (Basic tier; not an AWS price)',
} as const;
