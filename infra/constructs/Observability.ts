import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { InfraConfig } from '../config.ts';
import { PoglyticsDashboard } from './PoglyticsDashboard.ts';
import { deadLetterPuts, ingesterCounter, serviceTasks, type PipelineResources } from './pipelineMetrics.ts';

export interface ObservabilityProps {
  readonly config: Pick<InfraConfig, 'alarmEmail' | 'alarms' | 'refreshScheduleMinutes'>;
  readonly resources: PipelineResources;
}

/** The alarms, by the name the README and the tests use. Each description starts with `[<name>]`. */
export const ALARM_NAMES = ['IteratorAge', 'DeadLetters', 'NoEvents', 'RefresherFailures', 'TasksBelowDesired'] as const;
export type AlarmName = (typeof ALARM_NAMES)[number];

/** The CloudWatch dashboard, and the alarms that notify an SNS topic (optionally e-mailed). */
export class Observability extends Construct {
  public readonly topic: sns.Topic;
  public readonly alarms: Readonly<Record<AlarmName, cloudwatch.Alarm>>;
  public readonly dashboard: PoglyticsDashboard;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const { config, resources: r } = props;

    this.topic = new sns.Topic(this, 'AlarmTopic', { displayName: 'Poglytics alarms', enforceSSL: true });
    if (config.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(config.alarmEmail));

    const minutes = (n: number) => Duration.minutes(n);
    const iteratorAgeMs = config.alarms.iteratorAgeMinutes * 60_000;
    const refreshPeriod = minutes(config.refreshScheduleMinutes);

    const defs: Record<AlarmName, cloudwatch.AlarmProps> = {
      IteratorAge: {
        metric: r.consumer.metric('IteratorAge', { statistic: cloudwatch.Stats.MAXIMUM, period: minutes(1) }),
        threshold: iteratorAgeMs,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `[IteratorAge] The consumer is more than ${config.alarms.iteratorAgeMinutes} min behind the stream.`,
      },
      DeadLetters: {
        metric: deadLetterPuts(r, minutes(5)),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: '[DeadLetters] Records were written to the dead-letter bucket (undecodable, or retries exhausted).',
      },
      NoEvents: {
        metric: ingesterCounter('twitch_scraper_messages_total', undefined, minutes(5)),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: Math.ceil(config.alarms.noEventsMinutes / 5),
        // No data means no ingester reported anything: that is the outage this alarm is for.
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        alarmDescription: `[NoEvents] No chat events received by any ingester for ${config.alarms.noEventsMinutes} min.`,
      },
      RefresherFailures: {
        metric: r.refresher.metricErrors({ period: refreshPeriod, statistic: cloudwatch.Stats.SUM }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 2,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: '[RefresherFailures] The channel refresher failed on two consecutive runs.',
      },
      TasksBelowDesired: {
        metric: new cloudwatch.MathExpression({
          expression: 'desired - running',
          usingMetrics: { desired: serviceTasks(r, 'DesiredTaskCount'), running: serviceTasks(r, 'RunningTaskCount') },
          label: 'Tasks missing',
          period: minutes(1),
        }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // Deploys and scale-ups take a couple of minutes to place tasks.
        evaluationPeriods: 10,
        datapointsToAlarm: 8,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: '[TasksBelowDesired] Fewer ingester tasks are running than the refresher asked for.',
      },
    };

    const action = new actions.SnsAction(this.topic);
    const alarms = {} as Record<AlarmName, cloudwatch.Alarm>;
    for (const name of ALARM_NAMES) {
      const alarm = new cloudwatch.Alarm(this, `${name}Alarm`, defs[name]);
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      alarms[name] = alarm;
    }
    this.alarms = alarms;

    this.dashboard = new PoglyticsDashboard(this, 'Dashboard', { resources: r, alarms: Object.values(alarms) });
  }
}
