import { resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { awsClientConfig } from '../core/aws/clientConfig.ts';
import { loadCommonConfig, readString, type Env } from '../core/config.ts';
import type { ChannelOverrideStore } from '../core/control/channelOverrides.ts';
import type { DocumentStore } from '../core/control/documentStores.ts';
import { dynamoOptOutStore, fileOptOutStore, optOutsPath } from '../core/optout/optOutStores.ts';
import type { OptOuts } from '../core/optout/optOuts.ts';
import { DynamoOptOutAuditLog, FileOptOutAuditLog, optOutAuditPath, type OptOutAuditLog } from '../core/optout/optOutAudit.ts';
import { DynamoChannelOverrideStore, FileChannelOverrideStore, channelOverridesPath } from '../core/control/documentStores.ts';

/**
 * Where `poglytics channels`, `poglytics optout` and `poglytics serve` find the run-time channel
 * changes and the opt-out list: the control
 * table when CONTROL_TABLE_NAME is set (a deployed stack; the refresher Lambda reads it there),
 * else DATA_DIR/channel-overrides.json (default ./data), which `npm start` reads.
 */
export function adminStoresFor(env: Env): {
  store: ChannelOverrideStore;
  optOuts: DocumentStore<OptOuts>;
  audit: OptOutAuditLog;
  where: string;
  close: () => void;
} {
  if (readString(env, 'CONTROL_TABLE_NAME') !== undefined) {
    const config = loadCommonConfig(env);
    const client = new DynamoDBClient(
      awsClientConfig({ region: config.awsRegion, endpoint: config.awsEndpointUrl, staticCredentials: config.awsStaticCredentials }),
    );
    return {
      store: new DynamoChannelOverrideStore(client, config.controlTableName),
      optOuts: dynamoOptOutStore(client, config.controlTableName),
      audit: new DynamoOptOutAuditLog(client, config.controlTableName),
      where: `DynamoDB table ${config.controlTableName}`,
      close: () => client.destroy(),
    };
  }
  const dataDir = resolve(readString(env, 'DATA_DIR') ?? './data');
  const path = channelOverridesPath(dataDir);
  return {
    store: new FileChannelOverrideStore(path),
    optOuts: fileOptOutStore(optOutsPath(dataDir)),
    audit: new FileOptOutAuditLog(optOutAuditPath(dataDir)),
    where: path,
    close: () => undefined,
  };
}
