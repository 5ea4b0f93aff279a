import { CLOUDWATCH_NAMESPACE } from '../../core/cloudwatchNamespace.ts';

/**
 * Configuration of the CloudWatch agent sidecar that scrapes the ingester's Prometheus endpoint
 * and writes the selected series as EMF into CloudWatch Logs, which turns them into metrics in
 * the Poglytics namespace with the single dimension Service=ingester (counters arrive as deltas
 * per scrape, gauges as values; CloudWatch sums them across tasks).
 */
export const INGESTER_METRICS_NAMESPACE = CLOUDWATCH_NAMESPACE;
export const INGESTER_METRICS_DIMENSIONS = { Service: 'ingester' } as const;
export const INGESTER_SCRAPE_JOB = 'poglytics-ingester';
export const INGESTER_SCRAPE_INTERVAL_SECONDS = 30;

/** The core/metrics.ts series that become CloudWatch metrics (histograms are not supported by the agent). */
export const INGESTER_CLOUDWATCH_METRICS = [
  'twitch_scraper_messages_total',
  'twitch_scraper_active_connections',
  'twitch_scraper_joined_channels_total',
  'poglytics_assigned_channels',
  'poglytics_join_failures_total',
  'poglytics_reconnects_total',
  'poglytics_irc_parse_rejects_total',
  'poglytics_kinesis_events_total',
  'poglytics_kinesis_records_total',
  'poglytics_kinesis_throttles_total',
  'poglytics_kinesis_failures_total',
  'poglytics_buffer_events',
  'poglytics_journal_bytes',
  'poglytics_dropped_events_total',
  'poglytics_lease_held',
  'poglytics_lease_lost_total',
  'poglytics_dead_letters_total',
] as const;

export function prometheusScrapeConfig(metricsPort: number): string {
  // YAML is a superset of JSON.
  return JSON.stringify({
    global: { scrape_interval: `${INGESTER_SCRAPE_INTERVAL_SECONDS}s`, scrape_timeout: '10s' },
    scrape_configs: [
      {
        job_name: INGESTER_SCRAPE_JOB,
        // awsvpc: the sidecar shares the task's network namespace.
        static_configs: [{ targets: [`localhost:${metricsPort}`], labels: { ...INGESTER_METRICS_DIMENSIONS } }],
      },
    ],
  });
}

export function cloudWatchAgentConfig(logGroupName: string): string {
  return JSON.stringify({
    logs: {
      force_flush_interval: 5,
      metrics_collected: {
        prometheus: {
          log_group_name: logGroupName,
          prometheus_config_path: 'env:PROMETHEUS_CONFIG_CONTENT',
          emf_processor: {
            metric_namespace: INGESTER_METRICS_NAMESPACE,
            metric_declaration: [
              {
                source_labels: ['job'],
                label_matcher: `^${INGESTER_SCRAPE_JOB}$`,
                dimensions: [Object.keys(INGESTER_METRICS_DIMENSIONS)],
                metric_selectors: INGESTER_CLOUDWATCH_METRICS.map((name) => `^${name}$`),
              },
            ],
          },
        },
      },
    },
  });
}
