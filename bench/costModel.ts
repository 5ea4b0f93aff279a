import { PRICES, type Prices } from './prices.ts';

/**
 * What one billion chat events cost on AWS, from measured per-event figures. Every term is in
 * `lines`, so the README can show the arithmetic. Database costs (ClickHouse, RDS) are left out:
 * they depend on retention and queries, not on the pipeline.
 */
export interface CostInputs {
  /** Compressed bytes per event on the stream (measured: kinesis.bytes_per_event). */
  readonly bytesPerEvent: number;
  /** Events per Kinesis record (measured: kinesis.events_per_record). */
  readonly eventsPerRecord: number;
  /** Ingester CPU seconds per event (1 / events per second on one core). */
  readonly ingesterCpuSecondsPerEvent: number;
  /** Ingester memory per vCPU in GB (Fargate pairs memory with vCPU). */
  readonly ingesterGbPerVcpu: number;
  /** Consumer Lambda seconds per event (insert time per event at the batch size used). */
  readonly consumerSecondsPerEvent: number;
  readonly consumerMemoryGb: number;
  /** Events per consumer invocation. */
  readonly eventsPerInvocation: number;
}

export interface CostBreakdown {
  readonly usdPerBillionEvents: number;
  readonly lines: readonly string[];
}

const BILLION = 1e9;
const KIB = 1024;
const GB = 1024 ** 3;

export function costPerBillionEvents(inputs: CostInputs, prices: Prices = PRICES): CostBreakdown {
  const records = BILLION / inputs.eventsPerRecord;
  const recordBytes = inputs.bytesPerEvent * inputs.eventsPerRecord;
  const billedRecordBytes = Math.ceil(recordBytes / KIB) * KIB;
  const writtenGb = (records * billedRecordBytes) / GB;
  const readGb = (records * recordBytes) / GB;
  const kinesisWrite = writtenGb * prices.kinesisOnDemandWriteGb;
  const kinesisRead = readGb * prices.kinesisOnDemandReadGb;

  const ingesterVcpuHours = (BILLION * inputs.ingesterCpuSecondsPerEvent) / 3600;
  const fargate = ingesterVcpuHours * (prices.fargateArmVcpuHour + inputs.ingesterGbPerVcpu * prices.fargateArmGbHour);

  const invocations = BILLION / inputs.eventsPerInvocation;
  const lambdaGbSeconds = BILLION * inputs.consumerSecondsPerEvent * inputs.consumerMemoryGb;
  const lambda = (invocations / 1e6) * prices.lambdaRequestsPerMillion + lambdaGbSeconds * prices.lambdaArmGbSecond;

  const total = kinesisWrite + kinesisRead + fargate + lambda;
  const usd = (n: number) => `$${n.toFixed(2)}`;
  return {
    usdPerBillionEvents: total,
    lines: [
      `Kinesis records: 1e9 / ${inputs.eventsPerRecord.toFixed(1)} events per record = ${records.toExponential(3)}`,
      `Kinesis write: ${records.toExponential(3)} records × ${billedRecordBytes} B (rounded up to KiB) = ${writtenGb.toFixed(2)} GB × $${prices.kinesisOnDemandWriteGb}/GB = ${usd(kinesisWrite)}`,
      `Kinesis read: ${readGb.toFixed(2)} GB × $${prices.kinesisOnDemandReadGb}/GB = ${usd(kinesisRead)}`,
      `Fargate: 1e9 × ${inputs.ingesterCpuSecondsPerEvent.toExponential(3)} vCPU-s = ${ingesterVcpuHours.toFixed(2)} vCPU-h × ($${prices.fargateArmVcpuHour} + ${inputs.ingesterGbPerVcpu} GB × $${prices.fargateArmGbHour}) = ${usd(fargate)}`,
      `Lambda: ${invocations.toExponential(3)} invocations × $${prices.lambdaRequestsPerMillion}/M + ${lambdaGbSeconds.toFixed(0)} GB-s × $${prices.lambdaArmGbSecond} = ${usd(lambda)}`,
      `Total: ${usd(total)} per billion events (prices of ${prices.readOn}, ${prices.region})`,
    ],
  };
}

/**
 * The naive design the cost model is compared with: one uncompressed Kinesis record and one
 * Lambda invocation (one database write) per event.
 */
export function naiveInputs(measured: CostInputs, uncompressedBytesPerEvent: number): CostInputs {
  return {
    ...measured,
    bytesPerEvent: uncompressedBytesPerEvent,
    eventsPerRecord: 1,
    eventsPerInvocation: 1,
    // One invocation per event pays at least Lambda's 1 ms minimum billed duration.
    consumerSecondsPerEvent: Math.max(measured.consumerSecondsPerEvent, 0.001),
  };
}
