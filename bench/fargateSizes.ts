import type { Prices } from './prices.ts';

export interface FargateSize {
  /** CPU units (1024 = 1 vCPU). */
  readonly cpu: 256 | 512 | 1024 | 2048 | 4096;
  readonly memoryMiB: number;
}

/** Every Linux task size Fargate accepts up to 4 vCPU (aws.amazon.com/fargate/pricing, "supported configurations"). */
export const FARGATE_SIZES: readonly FargateSize[] = [
  ...[512, 1024, 2048].map((memoryMiB) => ({ cpu: 256 as const, memoryMiB })),
  ...range(1024, 4096).map((memoryMiB) => ({ cpu: 512 as const, memoryMiB })),
  ...range(2048, 8192).map((memoryMiB) => ({ cpu: 1024 as const, memoryMiB })),
  ...range(4096, 16_384).map((memoryMiB) => ({ cpu: 2048 as const, memoryMiB })),
  ...range(8192, 30_720).map((memoryMiB) => ({ cpu: 4096 as const, memoryMiB })),
];

function range(fromMiB: number, toMiB: number): number[] {
  const out: number[] = [];
  for (let m = fromMiB; m <= toMiB; m += 1024) out.push(m);
  return out;
}

/** On-demand ARM price of one task per hour. */
export function fargateHourly(size: FargateSize, prices: Prices): number {
  return (size.cpu / 1024) * prices.fargateArmVcpuHour + (size.memoryMiB / 1024) * prices.fargateArmGbHour;
}

/** The cheapest size with at least `vcpu` and `memoryMiB`, or undefined when none up to 4 vCPU/30 GiB fits. */
export function cheapestFargateSize(vcpu: number, memoryMiB: number, prices: Prices): FargateSize | undefined {
  const fits = FARGATE_SIZES.filter((s) => s.cpu >= vcpu * 1024 && s.memoryMiB >= memoryMiB);
  return fits.sort((a, b) => fargateHourly(a, prices) - fargateHourly(b, prices))[0];
}
