import type { PipelineMetrics } from '../metrics.ts';
import type { BatchMeasurements, ConsumerMetrics } from './types.ts';

/** Local mode: the same measurements into core/metrics.ts Prometheus counters and histograms. */
export function prometheusConsumerMetrics(metrics: PipelineMetrics): ConsumerMetrics {
  return {
    recordBatch(m: BatchMeasurements): void {
      metrics.sinkEventsWritten.inc({ sink: m.sink }, m.inserted);
      metrics.sinkDuplicates.inc({ sink: m.sink }, m.duplicates);
      if (m.deadLettered > 0) metrics.deadLetters.inc({ source: 'kinesis' }, m.deadLettered);
      if (m.optedOut > 0) metrics.optOutDropped.inc({ stage: 'consumer' }, m.optedOut);
      for (const outcome of m.optOutCommands) metrics.optOutCommands.inc({ outcome });
      if (m.events > 0) metrics.sinkInsertSeconds.observe({ sink: m.sink }, m.insertMs / 1000);
      for (const latency of m.latenciesMs) metrics.endToEndLatency.observe(latency / 1000);
    },
  };
}
