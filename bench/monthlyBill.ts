import type { BillInputs } from './billInputs.ts';
import { billLoad, GIB, SECONDS_PER_MONTH } from './billLoad.ts';
import type { BillConfiguration, PricedConfiguration } from './billTypes.ts';
import { cheapestFargateSize, type FargateSize } from './fargateSizes.ts';
import { priceConfiguration } from './priceConfiguration.ts';
import { PRICES, type Prices } from './prices.ts';

export interface MonthlyBill {
  /** The cheapest configuration the current code can deploy: infra/stages/production.json runs this one. */
  readonly chosen: PricedConfiguration;
  /** The next cheapest deployable configuration. */
  readonly runnerUp: PricedConfiguration | undefined;
  /** The cheapest configuration of all, deployable or not (what Spot pinning would give). */
  readonly cheapestAny: PricedConfiguration;
  readonly considered: number;
}

const SLOTS_PER_TASK = [1, 2, 4, 5, 10, 20, 25, 50, 100];

/** The task size one configuration needs: memory per slot on a base RSS, CPU for its peak rate, headroom on both. */
export function sizeIngesterTask(inputs: BillInputs, slotsPerTask: number, prices: Prices = PRICES): FargateSize | undefined {
  const load = billLoad(inputs);
  const memoryMb =
    (inputs.baseRssMb + slotsPerTask * inputs.rssMbPer2000Channels * (inputs.channelsPerShard / 2000)) * inputs.memoryHeadroom;
  const vcpu = (load.peakEventsPerSecond * taskEventShare(inputs, slotsPerTask) * inputs.cpuHeadroom) / inputs.ingestEventsPerCpuSecond;
  return cheapestFargateSize(vcpu, memoryMb, prices);
}

/** Share of one replica's events a task with `slots` slots may carry: the hottest shard, then average ones. */
function taskEventShare(inputs: BillInputs, slots: number): number {
  const shards = billLoad(inputs).shards;
  return Math.min(1, inputs.hottestShardShare + (slots - 1) / shards);
}

/** Ephemeral storage: the journal (half the disk) holds `journalHours` of the task's compressed stream. */
export function ephemeralStorageFor(inputs: BillInputs, slotsPerTask: number): number {
  const bytesPerHour =
    (inputs.eventsPerMonth / SECONDS_PER_MONTH) * 3600 * taskEventShare(inputs, slotsPerTask) * inputs.kinesisBytesPerEvent;
  return Math.max(20, Math.ceil((2 * bytesPerHour * inputs.journalHours) / GIB));
}

/** Every configuration that holds the load: slots per task × Spot × network × Kinesis mode. */
export function enumerateConfigurations(inputs: BillInputs, prices: Prices = PRICES): BillConfiguration[] {
  const load = billLoad(inputs);
  const out: BillConfiguration[] = [];
  const networks: BillConfiguration['network'][] = [
    { ingesterSubnets: 'public', natGateways: 0 },
    ...Array.from({ length: inputs.availabilityZones }, (_, i) => ({ ingesterSubnets: 'private' as const, natGateways: i + 1 })),
  ];
  const streams: BillConfiguration['kinesis'][] = [
    { capacityMode: 'on-demand' },
    { capacityMode: 'provisioned', shardCount: load.requiredKinesisShards },
  ];
  // A task never holds two replicas of one shard, so at most `shards` slots.
  for (const slotsPerTask of SLOTS_PER_TASK.filter((s) => s <= load.shards)) {
    const task = sizeIngesterTask(inputs, slotsPerTask, prices);
    if (!task) continue;
    const ephemeralStorageGiB = ephemeralStorageFor(inputs, slotsPerTask);
    for (const spot of inputs.replicas > 1 ? (['none', 'second-replica'] as const) : (['none'] as const)) {
      for (const network of networks) {
        for (const kinesis of streams) out.push({ slotsPerTask, task, ephemeralStorageGiB, spot, network, kinesis });
      }
    }
  }
  return out;
}

/** Prices every configuration and picks the cheapest the current code can deploy. */
export function monthlyBill(inputs: BillInputs, prices: Prices = PRICES): MonthlyBill {
  const priced = enumerateConfigurations(inputs, prices)
    .map((c) => priceConfiguration(inputs, c, prices))
    .sort((a, b) => a.usdPerMonth - b.usdPerMonth);
  const deployable = priced.filter((p) => p.notDeployable === undefined);
  const [chosen, runnerUp] = deployable;
  if (!chosen || !priced[0]) throw new Error('no configuration holds the load');
  return { chosen, runnerUp, cheapestAny: priced[0], considered: priced.length };
}

/** One line for a configuration, as the README and the bench notes show it. */
export function describeConfiguration(c: BillConfiguration): string {
  const net = c.network.ingesterSubnets === 'public' ? 'public subnets, no NAT' : `private subnets, ${c.network.natGateways} NAT`;
  const stream = c.kinesis.capacityMode === 'on-demand' ? 'Kinesis on demand' : `Kinesis ${c.kinesis.shardCount} provisioned shards`;
  const spot = c.spot === 'none' ? 'no Spot' : 'replica ≥ 1 on Spot';
  return `${c.slotsPerTask} slot(s)/task, ${c.task.cpu}/${c.task.memoryMiB} MiB, ${c.ephemeralStorageGiB} GiB disk, ${spot}, ${net}, ${stream}`;
}

/** The bench figures: the total, the chosen configuration's keys, each line, the runner-up. */
export function billFigures(bill: MonthlyBill): Record<string, number> {
  const c = bill.chosen.configuration;
  const figures: Record<string, number> = {
    'cost.usd_per_month_all_twitch': bill.chosen.usdPerMonth,
    'cost.chosen.fargate_tasks': bill.chosen.onDemandTasks,
    'cost.chosen.fargate_spot_tasks': bill.chosen.spotTasks,
    'cost.chosen.slots_per_task': c.slotsPerTask,
    'cost.chosen.task_cpu': c.task.cpu,
    'cost.chosen.task_memory_mib': c.task.memoryMiB,
    'cost.chosen.ephemeral_storage_gib': c.ephemeralStorageGiB,
    'cost.chosen.public_subnets': c.network.ingesterSubnets === 'public' ? 1 : 0,
    'cost.chosen.nat_gateways': c.network.natGateways,
    'cost.chosen.kinesis_shards': c.kinesis.capacityMode === 'provisioned' ? c.kinesis.shardCount : 0,
    'cost.usd_per_month_multi_slot': bill.cheapestAny.usdPerMonth,
  };
  if (bill.runnerUp) figures['cost.runner_up_usd_per_month'] = bill.runnerUp.usdPerMonth;
  for (const line of bill.chosen.lines) figures[`cost.line.${line.key}`] = line.usd;
  return figures;
}
