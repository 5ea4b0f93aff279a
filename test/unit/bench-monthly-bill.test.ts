import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { billInputsFromFigures, DEFAULT_BILL_INPUTS, type BillInputs } from '../../bench/billInputs.ts';
import type { BillConfiguration } from '../../bench/billTypes.ts';
import { FARGATE_SIZES } from '../../bench/fargateSizes.ts';
import { billFigures, monthlyBill, sizeIngesterTask } from '../../bench/monthlyBill.ts';
import { priceConfiguration } from '../../bench/priceConfiguration.ts';
import { PRICES as P } from '../../bench/prices.ts';

const GIB = 1024 ** 3;
const S = 730 * 3600;

/** 2 shards × 2 replicas, 1,000 events/s on average, 100 B per event, records of exactly 100 KiB. */
function smallInputs(overrides: Partial<BillInputs> = {}): BillInputs {
  return {
    ...DEFAULT_BILL_INPUTS,
    channels: 4000,
    channelsPerShard: 2000,
    eventsPerMonth: 1000 * S,
    replicas: 2,
    peakFactor: 2,
    standbyTasks: 1,
    availabilityZones: 2,
    sink: 'clickhouse',
    kinesisBytesPerEvent: 100,
    eventsPerRecord: 1024,
    ircBytesPerEvent: 400,
    consumerSecondsPerEvent: 1e-5,
    consumerMemoryGb: 1,
    consumerParallelization: 2,
    consumerBatchingWindowSeconds: 5,
    refreshMinutes: 5,
    refresherSecondsPerRun: 10,
    refresherWriteUnitsPerRefresh: 100,
    shardItemBytes: 8000,
    leaseRenewSeconds: 3,
    leasePollSeconds: 2,
    assignmentPollSeconds: 5,
    streamRetentionHours: 24,
    logRetentionDays: 30,
    customMetrics: 10,
    alarms: 5,
    logBytesPerTaskMonth: 1e9,
    logBytesPerLambdaInvocation: 0,
    flowLogBytesPerTaskMonth: 0,
    ...overrides,
  };
}

const privateOneNat: BillConfiguration = {
  slotsPerTask: 1,
  task: { cpu: 256, memoryMiB: 512 },
  ephemeralStorageGiB: 20,
  spot: 'none',
  network: { ingesterSubnets: 'private', natGateways: 1 },
  kinesis: { capacityMode: 'provisioned', shardCount: 1 },
};

const lineOf = (lines: readonly { key: string; usd: number }[], key: string) => {
  const line = lines.find((l) => l.key === key);
  assert.ok(line, `line ${key}`);
  return line.usd;
};
const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-9 * Math.max(1, expected), `${what}: ${actual} vs ${expected}`);

describe('the monthly bill of all of Twitch', () => {
  it('prices each line item of a small case as computed by hand', () => {
    // Prepare: 5 tasks (4 slots + 1 standby); 5.256e9 events on the stream; 5,132,812.5 records of 4 PUT units.
    const inputs = smallInputs();
    const records = (2 * 1000 * S) / 1024;
    const ircGib = (2 * 1000 * S * 400) / GIB;
    const streamGib = (2 * 1000 * S * 100) / GIB;
    const sinkGib = (1000 * S * 100) / GIB;
    const invocations = (1 * 2 * S) / 5; // 1 shard × parallelization 2, one batch per 5 s window each
    const refreshes = S / 60 / 5;
    const expected: Record<string, number> = {
      fargate: 5 * (0.25 * P.fargateArmVcpuHour + 0.5 * P.fargateArmGbHour) * 730,
      nat_hours: 730 * P.natGatewayHour,
      nat_data: (ircGib + streamGib + sinkGib) * P.natGatewayGb,
      cross_az: 0.5 * (ircGib + streamGib) * 2 * P.crossAzGbEachWay,
      kinesis: 730 * P.kinesisShardHour + ((records * 4) / 1e6) * P.kinesisPutUnitsPerMillion,
      lambda:
        ((invocations + refreshes) / 1e6) * P.lambdaRequestsPerMillion + (2 * 1000 * S * 1e-5 + refreshes * 10 * 0.5) * P.lambdaArmGbSecond,
      xray: ((invocations + refreshes - 100_000) / 1e6) * P.xrayTracesPerMillion,
      dynamodb_leases: ((4 * S) / 3 / 1e6) * P.dynamoWriteUnitsPerMillion,
      // 2 replicas: the standby reads the 4 lease items eventually consistent, 0.5 RRU each
      dynamodb_standby_polls: ((((1 * S) / 2) * 4 * 0.5) / 1e6) * P.dynamoReadUnitsPerMillion,
      // 4 slots: a 1-RRU meta read every 5 s and after each 3 s renewal, the 8,000 B shard item (2 RRU) once a refresh
      dynamodb_assignment_checks: (((4 * S) / 5 + (4 * S) / 3 + refreshes * 4 * 2) / 1e6) * P.dynamoReadUnitsPerMillion,
      dynamodb_refresher: ((refreshes * 100) / 1e6) * P.dynamoWriteUnitsPerMillion,
      cloudwatch_metrics: 10 * P.cloudwatchMetricMonth,
      cloudwatch_logs: ((5 * 1e9) / GIB) * (P.cloudwatchLogsIngestGb + P.cloudwatchLogsStorageGbMonth),
      flow_logs: 0,
      alarms: 5 * P.cloudwatchAlarmMonth,
      s3: P.s3StandardGbMonth + 10 * P.s3PutPer1000,
      secrets: 2 * P.secretMonth + P.secretApiCallsPer10k,
      ecr: 3 * P.ecrGbMonth,
      read_api: P.apiGatewayRestRequestsPerMillion + P.lambdaRequestsPerMillion + 1e6 * 0.1 * 0.5 * P.lambdaArmGbSecond + 2 * P.secretMonth,
    };
    // Act
    const priced = priceConfiguration(inputs, privateOneNat, P);
    // Assess
    assert.deepEqual(priced.lines.map((l) => l.key).sort(), Object.keys(expected).sort());
    for (const [key, usd] of Object.entries(expected)) close(lineOf(priced.lines, key), usd, key);
    close(
      priced.usdPerMonth,
      Object.values(expected).reduce((a, b) => a + b, 0),
      'total',
    );
    assert.equal(priced.onDemandTasks, 5);
    assert.equal(priced.notDeployable, undefined);
  });

  it('prices public subnets by public IPv4 per task, and on-demand Kinesis by stream-hour, GB in (whole KiB per record), GB out and retention', () => {
    const inputs = smallInputs({ streamRetentionHours: 48, kinesisBytesPerEvent: 100.5 });
    const c: BillConfiguration = {
      ...privateOneNat,
      network: { ingesterSubnets: 'public', natGateways: 0 },
      kinesis: { capacityMode: 'on-demand' },
    };
    const priced = priceConfiguration(inputs, c, P);
    const keys = priced.lines.map((l) => l.key);
    assert.ok(!keys.includes('nat_hours') && !keys.includes('nat_data') && !keys.includes('vpc_endpoints'));
    close(lineOf(priced.lines, 'public_ipv4'), 5 * 730 * P.publicIpv4Hour, 'public_ipv4');
    const records = (2 * 1000 * S) / 1024;
    const streamGib = (2 * 1000 * S * 100.5) / GIB;
    const billedGib = (records * 101 * 1024) / GIB; // 102,912 B rounds up to 101 KiB
    close(
      lineOf(priced.lines, 'kinesis'),
      730 * P.kinesisOnDemandStreamHour +
        billedGib * P.kinesisOnDemandWriteGb +
        streamGib * P.kinesisOnDemandReadGb +
        (streamGib / 730) * 24 * P.kinesisOnDemandRetentionGbMonth,
      'kinesis on demand',
    );
    // Postgres consumers sit in isolated subnets: a Secrets Manager endpoint in each zone.
    const pg = priceConfiguration({ ...inputs, sink: 'postgres' }, c, P);
    close(lineOf(pg.lines, 'vpc_endpoints'), 2 * 730 * P.interfaceEndpointAzHour, 'vpc_endpoints');
  });

  it('picks the cheaper of NAT and public IPs as the traffic and the task count move', () => {
    // Few tasks, lots of IRC bytes: public IPs are cheaper than NAT processing.
    const heavy = monthlyBill(smallInputs({ ircBytesPerEvent: 2000 }), P);
    assert.equal(heavy.chosen.configuration.network.ingesterSubnets, 'public');
    // Many one-slot tasks, little traffic: the NAT's fixed price wins over a public IPv4 per task.
    const light = monthlyBill(smallInputs({ channels: 200_000, eventsPerMonth: 1e8, maxSlotsPerTask: 1 }), P);
    assert.equal(light.chosen.configuration.network.ingesterSubnets, 'private');
    for (const bill of [heavy, light]) {
      assert.ok(bill.runnerUp && bill.runnerUp.usdPerMonth >= bill.chosen.usdPerMonth);
      const other = priceConfiguration(
        bill === heavy
          ? smallInputs({ ircBytesPerEvent: 2000 })
          : smallInputs({ channels: 200_000, eventsPerMonth: 1e8, maxSlotsPerTask: 1 }),
        {
          ...bill.chosen.configuration,
          network: bill === heavy ? { ingesterSubnets: 'private', natGateways: 1 } : { ingesterSubnets: 'public', natGateways: 0 },
        },
        P,
      );
      assert.ok(other.usdPerMonth > bill.chosen.usdPerMonth, `${other.usdPerMonth} > ${bill.chosen.usdPerMonth}`);
    }
  });

  it('chooses only what the ingester can run, and says what multi-slot tasks with Spot would cost', () => {
    // An ingester of one slot per task: only one-slot configurations are deployable.
    const oneSlot = monthlyBill(smallInputs({ maxSlotsPerTask: 1 }), P);
    assert.equal(oneSlot.chosen.configuration.slotsPerTask, 1);
    assert.equal(oneSlot.chosen.configuration.spot, 'none');
    assert.ok(oneSlot.cheapestAny.usdPerMonth < oneSlot.chosen.usdPerMonth);
    assert.match(oneSlot.cheapestAny.notDeployable ?? '', /slots|Spot/);
    // SLOTS_PER_TASK (the default inputs): several slots a task are deployable, and cheaper here (2 shards × 2 replicas).
    const bill = monthlyBill(smallInputs(), P);
    assert.equal(bill.chosen.configuration.slotsPerTask, 2);
    assert.equal(bill.chosen.configuration.spot, 'none');
    assert.ok(bill.chosen.usdPerMonth < oneSlot.chosen.usdPerMonth);
    assert.ok(bill.cheapestAny.usdPerMonth <= bill.chosen.usdPerMonth);
    if (bill.cheapestAny !== bill.chosen) assert.match(bill.cheapestAny.notDeployable ?? '', /Spot/);
    const spot = priceConfiguration(smallInputs(), { ...privateOneNat, spot: 'second-replica' }, P);
    // Replica 0's 2 tasks and the standby on demand, replica 1's 2 tasks on Spot.
    assert.deepEqual([spot.onDemandTasks, spot.spotTasks], [3, 2]);
    close(
      lineOf(spot.lines, 'fargate_spot'),
      2 * (0.25 * P.fargateArmVcpuHour + 0.5 * P.fargateArmGbHour) * (1 - P.fargateSpotDiscount) * 730,
      'spot',
    );
  });

  it('sizes a task by what binds: memory per slot on a base RSS, CPU for its peak rate, a valid Fargate size', () => {
    const inputs = smallInputs({ baseRssMb: 160, rssMbPer2000Channels: 14.4, memoryHeadroom: 1.5 });
    assert.deepEqual(sizeIngesterTask(inputs, 1, P), { cpu: 256, memoryMiB: 512 });
    assert.deepEqual(sizeIngesterTask({ ...inputs, channels: 100_000 }, 50, P), { cpu: 256, memoryMiB: 2048 }); // (160 + 50 × 14.4) × 1.5 = 1,320 MB
    // A slow ingester (1,000 events per CPU-second) needs more than a quarter vCPU for 2,000 × 2 events/s at peak.
    const cpuBound = sizeIngesterTask({ ...inputs, ingestEventsPerCpuSecond: 1000, cpuHeadroom: 1 }, 2, P);
    assert.ok(cpuBound && cpuBound.cpu >= 2048);
    for (const size of FARGATE_SIZES) assert.ok(size.memoryMiB >= size.cpu * 2 || size.cpu === 256);
  });

  it('takes measured figures from the bench results and reports the chosen configuration as figures', () => {
    const inputs = billInputsFromFigures({
      'kinesis.bytes_per_event': 120,
      'sink.clickhouse.rows_per_s': 20_000,
      'scale.irc_bytes_per_event': 500,
    });
    assert.equal(inputs.kinesisBytesPerEvent, 120);
    assert.equal(inputs.consumerSecondsPerEvent, 1 / 20_000);
    assert.equal(inputs.ircBytesPerEvent, 500);
    const figures = billFigures(monthlyBill(inputs, P));
    for (const key of [
      'cost.usd_per_month_all_twitch',
      'cost.chosen.fargate_tasks',
      'cost.chosen.kinesis_shards',
      'cost.chosen.nat_gateways',
      'cost.runner_up_usd_per_month',
      'cost.line.fargate',
    ]) {
      assert.ok(Number.isFinite(figures[key]), key);
    }
  });
});
