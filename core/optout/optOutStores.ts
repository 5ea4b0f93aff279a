import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { join } from 'node:path';
import { DynamoDocumentStore, FileDocumentStore, type DocumentType } from '../control/documentStores.ts';
import { OPT_OUTS_KEY } from '../control/layout.ts';
import { NO_OPT_OUTS, parseOptOuts, type OptOuts } from './optOuts.ts';

const OPT_OUTS: DocumentType<OptOuts> = { empty: NO_OPT_OUTS, parse: parseOptOuts };

/** Where `npm start`, `poglytics serve` and `poglytics optout` keep the list: DATA_DIR/optouts.json. */
export const optOutsPath = (dataDir: string) => join(dataDir, 'optouts.json');

export const fileOptOutStore = (path: string) => new FileDocumentStore(path, OPT_OUTS);

/** The list in the control table's `admin`/`optouts` item (AWS): the consumer, the refresher and the read service share it. */
export const dynamoOptOutStore = (client: DynamoDBClient, tableName: string) =>
  new DynamoDocumentStore(client, tableName, OPT_OUTS_KEY, OPT_OUTS);
