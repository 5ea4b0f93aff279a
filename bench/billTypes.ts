import type { FargateSize } from './fargateSizes.ts';

/**
 * One way to run the pipeline, in the terms of infra/config.ts, so the chosen one can be written
 * into infra/stages/production.json and checked against the synthesized stack.
 */
export interface BillConfiguration {
  /** Lease slots (shard, replica) one ingester task holds. */
  readonly slotsPerTask: number;
  readonly task: FargateSize;
  /** Fargate ephemeral storage; 20 GiB is free. */
  readonly ephemeralStorageGiB: number;
  /** 'second-replica': the tasks of replica ≥ 1 ride Fargate Spot, replica 0 stays on demand. */
  readonly spot: 'none' | 'second-replica';
  readonly network: { readonly ingesterSubnets: 'public' | 'private'; readonly natGateways: number };
  readonly kinesis: { readonly capacityMode: 'on-demand' } | { readonly capacityMode: 'provisioned'; readonly shardCount: number };
}

export interface LineItem {
  /** Short key, also the figure name `cost.line.<key>`. */
  readonly key: string;
  readonly usd: number;
  /** The arithmetic, with each list price. */
  readonly detail: string;
}

export interface PricedConfiguration {
  readonly configuration: BillConfiguration;
  readonly usdPerMonth: number;
  readonly lines: readonly LineItem[];
  readonly onDemandTasks: number;
  readonly spotTasks: number;
  /** Why the current code cannot run it, when it cannot. */
  readonly notDeployable: string | undefined;
}
