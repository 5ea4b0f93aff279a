/**
 * AWS list prices used by the cost model: us-east-1, ARM64 where it applies, on-demand.
 * Recorded on 2026-11-29 from the public AWS pricing pages as the team last read them (this
 * machine has no network, so they are not re-fetched on each run): check them before quoting.
 */
export const PRICES = {
  readOn: '2026-11-29',
  region: 'us-east-1',
  fargateArmVcpuHour: 0.03238,
  fargateArmGbHour: 0.00356,
  /** Kinesis on-demand: per GB written, each record rounded up to the next KiB. */
  kinesisOnDemandWriteGb: 0.08,
  /** Kinesis on-demand: per GB read by the standard (shared-throughput) consumer. */
  kinesisOnDemandReadGb: 0.04,
  lambdaRequestsPerMillion: 0.2,
  lambdaArmGbSecond: 0.0000133334,
  s3PutPer1000: 0.005,
} as const;

export type Prices = typeof PRICES;
