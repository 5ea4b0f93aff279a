import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { awsClientConfig } from '../../core/aws/clientConfig.ts';
import { loadCommonConfig, readString, type Env } from '../../core/config.ts';
import type { DocumentStore } from '../../core/control/documentStores.ts';
import type { Logger } from '../../core/log.ts';
import type { OptOuts } from '../../core/optout/optOuts.ts';
import { DynamoOptOutAuditLog, type OptOutAuditLog } from '../../core/optout/optOutAudit.ts';
import { OptOutGate } from '../../core/optout/optOutGate.ts';
import { dynamoOptOutStore } from '../../core/optout/optOutStores.ts';

/** The consumer's opt-out step on AWS: the list in the control table (CONTROL_TABLE_NAME, set by the stack). */
export function optOutGateFromEnv(
  env: Env,
  logger: Logger,
): { optOuts?: OptOutGate; optOutStore?: DocumentStore<OptOuts>; optOutAudit?: OptOutAuditLog } {
  if (readString(env, 'CONTROL_TABLE_NAME') === undefined) return {};
  const config = loadCommonConfig(env);
  const client = new DynamoDBClient(
    awsClientConfig({ region: config.awsRegion, endpoint: config.awsEndpointUrl, staticCredentials: config.awsStaticCredentials }),
  );
  const store = dynamoOptOutStore(client, config.controlTableName);
  return {
    optOuts: new OptOutGate(store, { logger }),
    optOutStore: store,
    optOutAudit: new DynamoOptOutAuditLog(client, config.controlTableName),
  };
}
