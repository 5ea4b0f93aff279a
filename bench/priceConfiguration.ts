import type { BillInputs } from './billInputs.ts';
import { billLoad, GIB, HOURS_PER_MONTH, PUT_PAYLOAD_UNIT_BYTES, SECONDS_PER_MONTH, type BillLoad } from './billLoad.ts';
import type { BillConfiguration, LineItem, PricedConfiguration } from './billTypes.ts';
import { fargateHourly } from './fargateSizes.ts';
import type { Prices } from './prices.ts';

const FREE_EPHEMERAL_GIB = 20;
const num = (n: number) => (Math.abs(n) >= 1e6 ? n.toExponential(3) : Number(n.toFixed(2)).toLocaleString('en-US'));

/** Ingester tasks: one replica's slots on demand (plus standbys), the others on Spot when chosen. */
export function taskCounts(inputs: BillInputs, load: BillLoad, c: BillConfiguration): { onDemand: number; spot: number } {
  if (c.spot === 'second-replica') {
    const perReplica = Math.ceil(load.shards / c.slotsPerTask);
    return { onDemand: perReplica + inputs.standbyTasks, spot: perReplica * (inputs.replicas - 1) };
  }
  return { onDemand: Math.ceil(load.slots / c.slotsPerTask) + inputs.standbyTasks, spot: 0 };
}

/**
 * The monthly bill of one configuration, excluding the database, line by line. Pure arithmetic
 * on the inputs and prices: the tests check each line against a hand computation.
 */
export function priceConfiguration(inputs: BillInputs, c: BillConfiguration, prices: Prices): PricedConfiguration {
  const load = billLoad(inputs);
  const h = HOURS_PER_MONTH;
  const { onDemand, spot } = taskCounts(inputs, load, c);
  const tasks = onDemand + spot;
  const lines: LineItem[] = [];
  const add = (key: string, value: number, detail: string) => lines.push({ key, usd: value, detail });

  const taskHour = fargateHourly(c.task, prices);
  const size = `${c.task.cpu / 1024} vCPU/${c.task.memoryMiB / 1024} GB`;
  add(
    'fargate',
    onDemand * taskHour * h,
    `${onDemand} tasks × ${size} × ${h} h × $${taskHour.toFixed(5)}/h ($${prices.fargateArmVcpuHour}/vCPU-h + $${prices.fargateArmGbHour}/GB-h, ARM)`,
  );
  if (spot > 0) {
    const spotHour = taskHour * (1 - prices.fargateSpotDiscount);
    add(
      'fargate_spot',
      spot * spotHour * h,
      `${spot} Spot tasks × ${size} × ${h} h × $${spotHour.toFixed(5)}/h (assumed ${prices.fargateSpotDiscount * 100} % off on demand)`,
    );
  }
  const extraGib = Math.max(0, c.ephemeralStorageGiB - FREE_EPHEMERAL_GIB);
  if (extraGib > 0) {
    add(
      'fargate_storage',
      tasks * extraGib * h * prices.fargateEphemeralGbHour,
      `${tasks} tasks × ${extraGib} GiB above the free 20 × ${h} h × $${prices.fargateEphemeralGbHour}/GB-h`,
    );
  }

  // The consumer's inserts leave the VPC through the NAT when it sits behind one and the sink is outside.
  const sinkGib = (inputs.eventsPerMonth * inputs.kinesisBytesPerEvent) / GIB;
  if (c.network.ingesterSubnets === 'private') {
    const n = c.network.natGateways;
    add('nat_hours', n * h * prices.natGatewayHour, `${n} NAT gateways × ${h} h × $${prices.natGatewayHour}/h`);
    const natGib = load.ircGib + load.streamGib + (inputs.sink === 'clickhouse' ? sinkGib : 0);
    add(
      'nat_data',
      natGib * prices.natGatewayGb,
      `(IRC in ${num(load.ircGib)} GB = ${num(load.streamEvents)} events × ${inputs.ircBytesPerEvent} B + Kinesis out ${num(load.streamGib)} GB${inputs.sink === 'clickhouse' ? ` + inserts to ClickHouse ${num(sinkGib)} GB` : ''}) × $${prices.natGatewayGb}/GB`,
    );
    const crossShare = Math.max(0, 1 - n / inputs.availabilityZones);
    if (crossShare > 0) {
      const crossGib = crossShare * (load.ircGib + load.streamGib);
      add(
        'cross_az',
        crossGib * 2 * prices.crossAzGbEachWay,
        `${num(crossGib)} GB from tasks in a zone without a NAT × 2 sides × $${prices.crossAzGbEachWay}/GB`,
      );
    }
  } else {
    add(
      'public_ipv4',
      tasks * h * prices.publicIpv4Hour,
      `${tasks} tasks × 1 public IPv4 × ${h} h × $${prices.publicIpv4Hour}/h (inbound data free, no inbound rules)`,
    );
    if (inputs.sink === 'postgres') {
      const az = inputs.availabilityZones;
      add(
        'vpc_endpoints',
        az * h * prices.interfaceEndpointAzHour,
        `Secrets Manager interface endpoint for the consumer in isolated subnets: ${az} AZ × ${h} h × $${prices.interfaceEndpointAzHour}/h`,
      );
    }
  }

  const retainedHours = Math.max(0, inputs.streamRetentionHours - 24);
  let pollers: number;
  if (c.kinesis.capacityMode === 'on-demand') {
    const billedGib = (load.records * Math.ceil(load.recordBytes / 1024) * 1024) / GIB;
    const retainedGib = (load.streamGib / h) * retainedHours;
    add(
      'kinesis',
      h * prices.kinesisOnDemandStreamHour +
        billedGib * prices.kinesisOnDemandWriteGb +
        load.streamGib * prices.kinesisOnDemandReadGb +
        retainedGib * prices.kinesisOnDemandRetentionGbMonth,
      `on demand: ${h} stream-h × $${prices.kinesisOnDemandStreamHour} + ${num(billedGib)} GB in × $${prices.kinesisOnDemandWriteGb} + ${num(load.streamGib)} GB out × $${prices.kinesisOnDemandReadGb} + ${num(retainedGib)} GB kept past 24 h × $${prices.kinesisOnDemandRetentionGbMonth}`,
    );
    pollers = 4 * inputs.consumerParallelization;
  } else {
    const shards = c.kinesis.shardCount;
    const units = load.records * Math.ceil(load.recordBytes / PUT_PAYLOAD_UNIT_BYTES);
    const retention = retainedHours > 0 ? shards * h * prices.kinesisExtendedRetentionShardHour : 0;
    add(
      'kinesis',
      shards * h * prices.kinesisShardHour + (units / 1e6) * prices.kinesisPutUnitsPerMillion + retention,
      `provisioned: ${shards} shards × ${h} h × $${prices.kinesisShardHour} + ${num(units)} PUT units × $${prices.kinesisPutUnitsPerMillion}/M${retention > 0 ? ` + ${shards} shards × ${h} h × $${prices.kinesisExtendedRetentionShardHour} (${inputs.streamRetentionHours} h retention)` : ''}`,
    );
    pollers = shards * inputs.consumerParallelization;
  }

  const invocations = Math.min(load.records, (pollers * SECONDS_PER_MONTH) / inputs.consumerBatchingWindowSeconds);
  const consumerGbS = load.streamEvents * inputs.consumerSecondsPerEvent * inputs.consumerMemoryGb;
  const refreshes = SECONDS_PER_MONTH / 60 / inputs.refreshMinutes;
  const refresherGbS = refreshes * inputs.refresherSecondsPerRun * 0.5;
  add(
    'lambda',
    ((invocations + refreshes) / 1e6) * prices.lambdaRequestsPerMillion + (consumerGbS + refresherGbS) * prices.lambdaArmGbSecond,
    `consumer ${num(invocations)} + refresher ${num(refreshes)} requests × $${prices.lambdaRequestsPerMillion}/M + (${num(consumerGbS)} + ${num(refresherGbS)}) GB-s × $${prices.lambdaArmGbSecond}`,
  );
  // X-Ray's default rule records the first request each second and 5 % of the rest.
  const traced = Math.min(invocations, SECONDS_PER_MONTH) + 0.05 * Math.max(0, invocations - SECONDS_PER_MONTH) + refreshes;
  const billedTraces = Math.max(0, traced - prices.xrayFreeTracesPerMonth);
  add(
    'xray',
    (billedTraces / 1e6) * prices.xrayTracesPerMillion,
    `${num(traced)} traces − ${num(prices.xrayFreeTracesPerMonth)} free × $${prices.xrayTracesPerMillion}/M`,
  );

  const renewals = load.slots * (SECONDS_PER_MONTH / inputs.leaseRenewSeconds);
  // Eventually consistent (0.5 RRU an item) when a sibling replica covers a late takeover (shardLease.ts).
  const standbyUnitsPerItem = inputs.replicas > 1 ? 0.5 : 1;
  const standbyReads = inputs.standbyTasks * (SECONDS_PER_MONTH / inputs.leasePollSeconds) * load.slots * standbyUnitsPerItem;
  // Each slot's assignment watch polls the ~100 B meta item (1 RRU consistent) and reads its shard
  // item, billed whole (⌈bytes/4 KB⌉ RRU), once per refresh: a refresh rewrites every shard item at
  // a new epoch (core/control/assignmentWatch.ts). A poll that lands between a refresh's epoch claim
  // and its shard's put reads the item a second time: unpriced, at most doubling `shardReads`. The
  // lease also reads the meta item after every renewal, to notice a shard beyond the shard count
  // (shardLease.ts checkRetired); the old model left that out.
  const shardItemUnits = Math.ceil(inputs.shardItemBytes / 4096);
  const metaPolls = load.slots * (SECONDS_PER_MONTH / inputs.assignmentPollSeconds);
  const shardReads = load.slots * refreshes * shardItemUnits;
  const retireChecks = renewals;
  const versionReads = metaPolls + shardReads + retireChecks;
  const refresherWrites = refreshes * inputs.refresherWriteUnitsPerRefresh;
  add(
    'dynamodb_leases',
    (renewals / 1e6) * prices.dynamoWriteUnitsPerMillion,
    `${load.slots} slots × a renewal every ${inputs.leaseRenewSeconds} s = ${num(renewals)} WRU × $${prices.dynamoWriteUnitsPerMillion}/M`,
  );
  add(
    'dynamodb_standby_polls',
    (standbyReads / 1e6) * prices.dynamoReadUnitsPerMillion,
    `${inputs.standbyTasks} standby × a poll every ${inputs.leasePollSeconds} s × ${load.slots} lease items × ${standbyUnitsPerItem} RRU (${standbyUnitsPerItem < 1 ? 'eventually' : 'strongly'} consistent) = ${num(standbyReads)} RRU × $${prices.dynamoReadUnitsPerMillion}/M`,
  );
  add(
    'dynamodb_assignment_checks',
    (versionReads / 1e6) * prices.dynamoReadUnitsPerMillion,
    `${load.slots} slots × (a meta item read every ${inputs.assignmentPollSeconds} s + one after each renewal every ${inputs.leaseRenewSeconds} s, 1 RRU each) + ${load.slots} slots × ${num(refreshes)} refreshes × ${shardItemUnits} RRU (the whole ${num(inputs.shardItemBytes)} B shard item) = ${num(versionReads)} RRU × $${prices.dynamoReadUnitsPerMillion}/M`,
  );
  add(
    'dynamodb_refresher',
    (refresherWrites / 1e6) * prices.dynamoWriteUnitsPerMillion,
    `${num(refreshes)} refreshes × ${num(inputs.refresherWriteUnitsPerRefresh)} WRU × $${prices.dynamoWriteUnitsPerMillion}/M`,
  );

  add(
    'cloudwatch_metrics',
    inputs.customMetrics * prices.cloudwatchMetricMonth,
    `${inputs.customMetrics} custom metrics × $${prices.cloudwatchMetricMonth}`,
  );
  const logGib = (tasks * inputs.logBytesPerTaskMonth + (invocations + refreshes) * inputs.logBytesPerLambdaInvocation) / GIB;
  const storedGib = logGib * (inputs.logRetentionDays / 30);
  add(
    'cloudwatch_logs',
    logGib * prices.cloudwatchLogsIngestGb + storedGib * prices.cloudwatchLogsStorageGbMonth,
    `${num(logGib)} GB ingested × $${prices.cloudwatchLogsIngestGb} + ${num(storedGib)} GB kept ${inputs.logRetentionDays} days × $${prices.cloudwatchLogsStorageGbMonth}`,
  );
  const flowGib = ((tasks + c.network.natGateways) * inputs.flowLogBytesPerTaskMonth) / GIB;
  add(
    'flow_logs',
    flowGib * prices.cloudwatchVendedLogsIngestGb,
    `${num(flowGib)} GB of VPC flow logs × $${prices.cloudwatchVendedLogsIngestGb}`,
  );
  add(
    'alarms',
    inputs.alarms * prices.cloudwatchAlarmMonth,
    `${inputs.alarms} alarms × $${prices.cloudwatchAlarmMonth} (one dashboard: free up to 3)`,
  );
  add(
    's3',
    1 * prices.s3StandardGbMonth + 10 * prices.s3PutPer1000,
    `dead letters and access logs, assumed 1 GB × $${prices.s3StandardGbMonth} + 10,000 PUTs × $${prices.s3PutPer1000}/1000`,
  );
  // Twitch credentials and the sink's (ClickHouse's, or the one RDS generates).
  const secrets = 2;
  add(
    'secrets',
    secrets * prices.secretMonth + 1 * prices.secretApiCallsPer10k,
    `${secrets} secrets (Twitch, sink) × $${prices.secretMonth} + ~10,000 reads × $${prices.secretApiCallsPer10k}/10k`,
  );
  // The read service (infra/README.md, "The read service on AWS"): REST API requests, its Lambda, its two secrets.
  const reads = inputs.readApiRequestsPerMonth;
  const readGbS = reads * inputs.readApiSecondsPerRequest * inputs.readApiMemoryGb;
  add(
    'read_api',
    (reads / 1e6) * (prices.apiGatewayRestRequestsPerMillion + prices.lambdaRequestsPerMillion) +
      readGbS * prices.lambdaArmGbSecond +
      2 * prices.secretMonth,
    `${num(reads)} requests × ($${prices.apiGatewayRestRequestsPerMillion} REST API + $${prices.lambdaRequestsPerMillion} Lambda)/M + ${num(readGbS)} GB-s × $${prices.lambdaArmGbSecond} + 2 secrets (read-only user, admin key) × $${prices.secretMonth}`,
  );
  add('ecr', 3 * prices.ecrGbMonth, `~10 ingester images × 0.3 GB kept × $${prices.ecrGbMonth}/GB`);

  const notDeployable =
    c.slotsPerTask > inputs.maxSlotsPerTask
      ? `tasks hold ${c.slotsPerTask} slots; the ingester holds ${inputs.maxSlotsPerTask}`
      : c.spot !== 'none' && !inputs.spotReplicaPinning
        ? 'Spot needs tasks pinned to a replica index, which the lease code does not do'
        : undefined;
  return {
    configuration: c,
    usdPerMonth: lines.reduce((s, l) => s + l.usd, 0),
    lines,
    onDemandTasks: onDemand,
    spotTasks: spot,
    notDeployable,
  };
}
