export { processKinesisBatch } from './processKinesisBatch.ts';
export { emfConsumerMetrics } from './emfConsumerMetrics.ts';
export { prometheusConsumerMetrics } from './prometheusConsumerMetrics.ts';
export type { BatchMeasurements, BatchOutcome, ConsumerDeps, ConsumerMetrics, KinesisRecordInput } from './types.ts';
