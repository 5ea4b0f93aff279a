import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { ScheduledEvent } from 'aws-lambda';
import { createMetricsLogger, Unit } from 'aws-embedded-metrics';
import { awsClientConfig } from '../../core/aws/clientConfig.ts';
import { DynamoChannelOverrideStore } from '../../core/control/documentStores.ts';
import { dynamoOptOutStore } from '../../core/optout/optOutStores.ts';
import { createRefresher, type Refresher } from '../../core/control/createRefresher.ts';
import { CLOUDWATCH_NAMESPACE } from '../../core/cloudwatchNamespace.ts';
import { loadRefresherConfig } from '../../core/control/loadRefresherConfig.ts';
import { EcsScaler } from '../../core/control/scaler.ts';
import { createLogger } from '../../core/log.ts';
import { loadTwitchCredentials } from '../../core/twitch/loadTwitchCredentials.ts';

// Created once per container: warm invocations reuse clients, the Twitch secret and the app token.
const config = loadRefresherConfig(process.env);
const log = createLogger(config.logLevel, { fn: 'channel-refresher' });
const aws = awsClientConfig({ region: config.awsRegion, endpoint: config.awsEndpointUrl, staticCredentials: config.awsStaticCredentials });
const dynamo = new DynamoDBClient(aws);
const kinesis = new KinesisClient(aws);
const scaler = config.ecsCluster && config.ecsService ? new EcsScaler(new ECSClient(aws), config.ecsCluster, config.ecsService) : null;
const secrets = config.twitchSecretArn ? new SecretsManagerClient(aws) : null;
let refresher: Promise<Refresher> | undefined;

function getRefresher(): Promise<Refresher> {
  refresher ??= loadTwitchCredentials({
    secretArn: config.twitchSecretArn,
    secrets,
    clientId: config.twitchClientId,
    clientSecret: config.twitchClientSecret,
  }).then((credentials) =>
    createRefresher(config, {
      dynamo,
      kinesis,
      scaler,
      credentials,
      log,
      channelOverrides: new DynamoChannelOverrideStore(dynamo, config.controlTableName),
      optOuts: dynamoOptOutStore(dynamo, config.controlTableName),
    }),
  );
  // A failed secret read is retried on the next invocation instead of being cached.
  refresher.catch(() => (refresher = undefined));
  return refresher;
}

/** EventBridge schedule target. Safe to run twice or concurrently: the store's conditional writes decide. */
export async function handler(event: ScheduledEvent): Promise<{ shards: number; assigned: number; moved: number }> {
  const started = Date.now();
  const metrics = createMetricsLogger();
  metrics.setNamespace(CLOUDWATCH_NAMESPACE);
  metrics.setDimensions({ Function: 'channel-refresher' });
  metrics.setProperty('eventId', event.id);
  let errors = 0;
  try {
    const report = await (await getRefresher()).refresh();
    metrics.putMetric('ChannelsDiscovered', report.discovered, Unit.Count);
    metrics.putMetric('ChannelsAssigned', report.assigned, Unit.Count);
    metrics.putMetric('ChannelsAdded', report.added, Unit.Count);
    metrics.putMetric('ChannelsMoved', report.moved, Unit.Count);
    metrics.putMetric('ChannelsRemoved', report.removed, Unit.Count);
    metrics.putMetric('Shards', report.shards, Unit.Count);
    metrics.putMetric('DesiredTasks', report.desiredCount, Unit.Count);
    metrics.putMetric('HelixRequests', report.helixRequests, Unit.Count);
    if (report.rateLimitRemaining !== undefined) metrics.putMetric('HelixRateLimitRemaining', report.rateLimitRemaining, Unit.Count);
    metrics.putMetric('StreamSnapshots', report.snapshots, Unit.Count);
    metrics.putMetric('Superseded', report.superseded ? 1 : 0, Unit.Count);
    errors = report.errors.length;
    // Snapshot or scaling failures fail the invocation so the async retry runs the (idempotent) refresh again.
    if (report.errors.length > 0) throw new Error(`refresh finished with errors: ${report.errors.join('; ')}`);
    return { shards: report.shards, assigned: report.assigned, moved: report.moved };
  } catch (error) {
    errors = Math.max(errors, 1);
    log.error('refresh failed', { error });
    throw error;
  } finally {
    metrics.putMetric('Errors', errors, Unit.Count);
    metrics.putMetric('DurationMs', Date.now() - started, Unit.Milliseconds);
    await metrics.flush();
  }
}
