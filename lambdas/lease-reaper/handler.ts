import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventBridgeEvent } from 'aws-lambda';
import { awsClientConfig } from '../../core/aws/clientConfig.ts';
import { loadCommonConfig } from '../../core/config.ts';
import { reapStoppedTask, type ReapReport } from '../../core/control/reapStoppedTask.ts';
import { createLogger } from '../../core/log.ts';

// Created once per container.
const config = loadCommonConfig(process.env);
const log = createLogger(config.logLevel, { fn: 'lease-reaper' });
const dynamo = new DynamoDBClient(
  awsClientConfig({ region: config.awsRegion, endpoint: config.awsEndpointUrl, staticCredentials: config.awsStaticCredentials }),
);

/** EventBridge target for "ECS Task State Change" (STOPPED) of the ingester service. */
export async function handler(event: EventBridgeEvent<'ECS Task State Change', unknown>): Promise<ReapReport | null> {
  const report = await reapStoppedTask(event.detail, { client: dynamo, tableName: config.controlTableName });
  if (report) log.info(report.expired.length > 0 ? 'expired the stopped task leases' : 'stopped task held no lease', { ...report });
  return report;
}
