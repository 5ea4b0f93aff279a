import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import {
  REFRESHER_DIMENSIONS,
  consumerDimensions,
  deadLetterPuts,
  ingesterCounter,
  ingesterGaugeTotal,
  lambdaEmf,
  serviceTasks,
  type PipelineResources,
} from './pipelineMetrics.ts';

export interface PoglyticsDashboardProps {
  readonly resources: PipelineResources;
  readonly alarms: readonly cloudwatch.IAlarm[];
}

/** The widget titles, in dashboard order (the README explains how to read each). */
export const DASHBOARD_WIDGETS = [
  'Alarms',
  'Events in and stored (per minute)',
  'Joined channels and IRC connections',
  'Ingester tasks',
  'Kinesis write throttles',
  'Iterator age',
  'Consumer errors and throttles',
  'Consumer duration',
  'Dead letters',
  'End-to-end latency (sent_at to stored)',
  'Refresher results',
  'Refresher runs',
] as const;

type Title = (typeof DASHBOARD_WIDGETS)[number];

/** One CloudWatch dashboard over the whole pipeline: ingest → stream → consumer → database. */
export class PoglyticsDashboard extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: PoglyticsDashboardProps) {
    super(scope, id);
    const r = props.resources;
    const minute = Duration.minutes(1);
    const consumer = consumerDimensions(r.sink);
    const graph = (title: Title, left: cloudwatch.IMetric[], right: cloudwatch.IMetric[] = [], width = 12) =>
      new cloudwatch.GraphWidget({ title, left, right, width, height: 6, period: minute });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(3),
      periodOverride: cloudwatch.PeriodOverride.INHERIT,
    });
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms' satisfies Title, alarms: [...props.alarms], width: 24, height: 3 }),
    );
    this.dashboard.addWidgets(
      graph(
        'Events in and stored (per minute)',
        [
          ingesterCounter('twitch_scraper_messages_total', 'Received from IRC'),
          ingesterCounter('poglytics_kinesis_events_total', 'Written to Kinesis'),
          lambdaEmf(consumer, 'EventsWritten', 'Sum', 'Stored (new)'),
          lambdaEmf(consumer, 'DuplicatesSkipped', 'Sum', 'Duplicates skipped'),
        ],
        [r.stream.metricIncomingRecords({ period: minute, label: 'Kinesis records in' })],
      ),
      graph(
        'Joined channels and IRC connections',
        [
          ingesterGaugeTotal('twitch_scraper_joined_channels_total', 'Joined channels', 'joined'),
          ingesterGaugeTotal('poglytics_assigned_channels', 'Assigned channels', 'assigned'),
        ],
        [
          ingesterGaugeTotal('twitch_scraper_active_connections', 'IRC connections', 'connections'),
          ingesterCounter('poglytics_reconnects_total', 'Reconnects'),
        ],
      ),
    );
    this.dashboard.addWidgets(
      graph(
        'Ingester tasks',
        [serviceTasks(r, 'RunningTaskCount'), serviceTasks(r, 'DesiredTaskCount')],
        [ingesterGaugeTotal('poglytics_lease_held', 'Leases held', 'leases')],
      ),
      graph(
        'Kinesis write throttles',
        [
          r.stream.metricPutRecordsThrottledRecords({ period: minute, statistic: 'Sum', label: 'Throttled records (Kinesis)' }),
          ingesterCounter('poglytics_kinesis_throttles_total', 'Throttled entries (ingester)'),
          ingesterCounter('poglytics_kinesis_failures_total', 'Failed entries (ingester)'),
        ],
        [ingesterGaugeTotal('poglytics_buffer_events', 'Buffered events', 'buffered')],
      ),
    );
    this.dashboard.addWidgets(
      graph('Iterator age', [
        r.consumer.metric('IteratorAge', { statistic: 'Maximum', period: minute, label: 'Consumer iterator age (ms)' }),
        r.stream.metricGetRecordsIteratorAgeMilliseconds({ statistic: 'Maximum', period: minute, label: 'Stream iterator age (ms)' }),
      ]),
      graph(
        'Consumer errors and throttles',
        [r.consumer.metricErrors({ period: minute, label: 'Errors' }), r.consumer.metricThrottles({ period: minute, label: 'Throttles' })],
        [r.consumer.metricInvocations({ period: minute, label: 'Invocations' })],
      ),
    );
    this.dashboard.addWidgets(
      graph('Consumer duration', [
        r.consumer.metricDuration({ statistic: 'p50', period: minute, label: 'p50' }),
        r.consumer.metricDuration({ statistic: 'p99', period: minute, label: 'p99' }),
        r.consumer.metricDuration({ statistic: 'Maximum', period: minute, label: 'max' }),
      ]),
      graph('Dead letters', [
        deadLetterPuts(r, minute, 'Dead-letter objects written'),
        lambdaEmf(consumer, 'DeadLettered', 'Sum', 'Dead-lettered by consumer'),
        lambdaEmf(consumer, 'FailedRecords', 'Sum', 'Failed records (retried)'),
        ingesterCounter('poglytics_dead_letters_total', 'Dead-lettered by ingester'),
        ingesterCounter('poglytics_irc_parse_rejects_total', 'IRC lines rejected'),
      ]),
    );
    this.dashboard.addWidgets(
      graph(
        'End-to-end latency (sent_at to stored)',
        [lambdaEmf(consumer, 'EndToEndLatency', 'p50', 'p50 (ms)'), lambdaEmf(consumer, 'EndToEndLatency', 'p99', 'p99 (ms)')],
        [lambdaEmf(consumer, 'InsertTime', 'p99', 'Insert time p99 (ms)')],
      ),
      graph(
        'Refresher results',
        [
          lambdaEmf(REFRESHER_DIMENSIONS, 'ChannelsDiscovered', 'Maximum'),
          lambdaEmf(REFRESHER_DIMENSIONS, 'ChannelsAssigned', 'Maximum'),
          lambdaEmf(REFRESHER_DIMENSIONS, 'ChannelsAdded'),
          lambdaEmf(REFRESHER_DIMENSIONS, 'ChannelsMoved'),
          lambdaEmf(REFRESHER_DIMENSIONS, 'ChannelsRemoved'),
        ],
        [lambdaEmf(REFRESHER_DIMENSIONS, 'Shards', 'Maximum'), lambdaEmf(REFRESHER_DIMENSIONS, 'DesiredTasks', 'Maximum')],
      ),
    );
    this.dashboard.addWidgets(
      graph(
        'Refresher runs',
        [
          r.refresher.metricInvocations({ period: minute, label: 'Runs' }),
          r.refresher.metricErrors({ period: minute, label: 'Failed runs' }),
          lambdaEmf(REFRESHER_DIMENSIONS, 'Errors'),
        ],
        [
          lambdaEmf(REFRESHER_DIMENSIONS, 'HelixRequests'),
          lambdaEmf(REFRESHER_DIMENSIONS, 'HelixRateLimitRemaining', 'Minimum'),
          lambdaEmf(REFRESHER_DIMENSIONS, 'DurationMs', 'Maximum'),
        ],
        24,
      ),
    );
  }
}
