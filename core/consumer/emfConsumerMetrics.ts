import { MetricsLogger, Unit } from 'aws-embedded-metrics';
import { LambdaEnvironment } from 'aws-embedded-metrics/lib/environment/LambdaEnvironment.js';
import { LocalEnvironment } from 'aws-embedded-metrics/lib/environment/LocalEnvironment.js';
import { MetricsContext } from 'aws-embedded-metrics/lib/logger/MetricsContext.js';
import { CLOUDWATCH_NAMESPACE } from '../cloudwatchNamespace.ts';
import type { BatchMeasurements, ConsumerMetrics } from './types.ts';

/** EMF allows up to 100 values per metric per record; more are sampled evenly. */
const MAX_LATENCY_SAMPLES = 100;

function sample(values: readonly number[], max: number): number[] {
  if (values.length <= max) return [...values];
  const step = values.length / max;
  return Array.from({ length: max }, (_, i) => values[Math.floor(i * step)]!);
}

/**
 * CloudWatch metrics as Embedded Metric Format log lines (on Lambda: stdout, extracted by
 * CloudWatch Logs without API calls). Namespace Poglytics, dimension Sink.
 */
export function emfConsumerMetrics(options: { onLambda: boolean; namespace?: string; create?: () => MetricsLogger }): ConsumerMetrics {
  // A fixed environment instead of the library's discovery, which would probe for a CloudWatch
  // agent or EC2 metadata outside Lambda: on Lambda EMF goes to stdout, and locally too.
  const environment = options.onLambda ? new LambdaEnvironment() : new LocalEnvironment();
  const create = options.create ?? (() => new MetricsLogger(async () => environment, MetricsContext.empty()));
  return {
    async recordBatch(m: BatchMeasurements): Promise<void> {
      const metrics = create();
      metrics.setNamespace(options.namespace ?? CLOUDWATCH_NAMESPACE);
      metrics.setDimensions({ Sink: m.sink });
      metrics.putMetric('EventsWritten', m.inserted, Unit.Count);
      metrics.putMetric('DuplicatesSkipped', m.duplicates, Unit.Count);
      metrics.putMetric('DeadLettered', m.deadLettered, Unit.Count);
      metrics.putMetric('OptedOutDropped', m.optedOut, Unit.Count);
      metrics.putMetric('FailedRecords', m.failedRecords, Unit.Count);
      metrics.putMetric('BatchRecords', m.records, Unit.Count);
      metrics.putMetric('BatchEvents', m.events, Unit.Count);
      if (m.events > 0) metrics.putMetric('InsertTime', m.insertMs, Unit.Milliseconds);
      for (const latency of sample(m.latenciesMs, MAX_LATENCY_SAMPLES)) metrics.putMetric('EndToEndLatency', latency, Unit.Milliseconds);
      await metrics.flush();
    },
  };
}
