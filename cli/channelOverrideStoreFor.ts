import { resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { awsClientConfig } from '../core/aws/clientConfig.ts';
import { loadCommonConfig, readString, type Env } from '../core/config.ts';
import type { ChannelOverrideStore } from '../core/control/channelOverrides.ts';
import { DynamoChannelOverrideStore, FileChannelOverrideStore, channelOverridesPath } from '../core/control/channelOverrideStores.ts';

/**
 * Where `poglytics channels` and `poglytics serve` find the run-time channel changes: the control
 * table when CONTROL_TABLE_NAME is set (a deployed stack; the refresher Lambda reads it there),
 * else DATA_DIR/channel-overrides.json (default ./data), which `npm start` reads.
 */
export function channelOverrideStoreFor(env: Env): { store: ChannelOverrideStore; where: string; close: () => void } {
  if (readString(env, 'CONTROL_TABLE_NAME') !== undefined) {
    const config = loadCommonConfig(env);
    const client = new DynamoDBClient(
      awsClientConfig({ region: config.awsRegion, endpoint: config.awsEndpointUrl, staticCredentials: config.awsStaticCredentials }),
    );
    return {
      store: new DynamoChannelOverrideStore(client, config.controlTableName),
      where: `DynamoDB table ${config.controlTableName}`,
      close: () => client.destroy(),
    };
  }
  const path = channelOverridesPath(resolve(readString(env, 'DATA_DIR') ?? './data'));
  return { store: new FileChannelOverrideStore(path), where: path, close: () => undefined };
}
