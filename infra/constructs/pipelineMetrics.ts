import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { INGESTER_METRICS_DIMENSIONS, INGESTER_METRICS_NAMESPACE, INGESTER_SCRAPE_INTERVAL_SECONDS } from './ingesterMetricsAgentConfig.ts';

/** The EMF namespace of the Lambdas (aws-embedded-metrics) and of the ingester's scraped metrics. */
export const METRICS_NAMESPACE = INGESTER_METRICS_NAMESPACE;
/** The EMF dimensions the Lambdas set (lambdas/channel-refresher, core/consumer/emfConsumerMetrics.ts). */
export const REFRESHER_DIMENSIONS = { Function: 'channel-refresher' } as const;
export const consumerDimensions = (sink: string) => ({ Sink: sink }) as const;

/** Everything the dashboard and the alarms read. */
export interface PipelineResources {
  readonly stream: kinesis.IStream;
  readonly consumer: lambda.IFunction;
  readonly refresher: lambda.IFunction;
  readonly cluster: ecs.ICluster;
  readonly service: ecs.IBaseService;
  readonly deadLetterBucket: s3.IBucket;
  readonly deadLetterMetricsFilter: string;
  /** The consumer's EMF dimension value. */
  readonly sink: string;
}

const ONE_MINUTE = Duration.minutes(1);

/** A counter scraped from the ingesters (a delta per scrape): Sum over the period is the count. */
export function ingesterCounter(name: string, label?: string, period: Duration = ONE_MINUTE): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: INGESTER_METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { ...INGESTER_METRICS_DIMENSIONS },
    statistic: cloudwatch.Stats.SUM,
    period,
    ...(label ? { label } : {}),
  });
}

/** A gauge summed over all ingester tasks: each task reports once per scrape interval. */
export function ingesterGaugeTotal(name: string, label: string, id: string): cloudwatch.MathExpression {
  const period = Duration.minutes(5);
  return new cloudwatch.MathExpression({
    expression: `${id}_sum / (PERIOD(${id}_sum) / ${INGESTER_SCRAPE_INTERVAL_SECONDS})`,
    usingMetrics: { [`${id}_sum`]: ingesterCounter(name, undefined, period) },
    label,
    period,
  });
}

/** A Lambda's EMF metric with the exact dimensions it sets. */
export function lambdaEmf(
  dimensions: Record<string, string>,
  name: string,
  statistic: string = cloudwatch.Stats.SUM,
  label?: string,
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { ...dimensions },
    statistic,
    period: ONE_MINUTE,
    ...(label ? { label } : {}),
  });
}

export function deadLetterPuts(r: PipelineResources, period: Duration = ONE_MINUTE, label?: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/S3',
    metricName: 'PutRequests',
    dimensionsMap: { BucketName: r.deadLetterBucket.bucketName, FilterId: r.deadLetterMetricsFilter },
    statistic: cloudwatch.Stats.SUM,
    period,
    ...(label ? { label } : {}),
  });
}

export function serviceTasks(r: PipelineResources, metricName: 'RunningTaskCount' | 'DesiredTaskCount'): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'ECS/ContainerInsights',
    metricName,
    dimensionsMap: { ClusterName: r.cluster.clusterName, ServiceName: r.service.serviceName },
    statistic: cloudwatch.Stats.AVERAGE,
    period: ONE_MINUTE,
    label: metricName === 'RunningTaskCount' ? 'Running tasks' : 'Desired tasks',
  });
}
