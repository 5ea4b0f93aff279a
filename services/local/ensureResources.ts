import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateStreamCommand, DescribeStreamSummaryCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { setTimeout as sleep } from 'node:timers/promises';

const isName = (error: unknown, name: string) => (error as { name?: string })?.name === name;

/** Creates the stream (if missing) and waits until it is ACTIVE. */
export async function ensureStream(kinesis: KinesisClient, streamName: string, shardCount: number): Promise<void> {
  try {
    await kinesis.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: shardCount }));
  } catch (error) {
    if (!isName(error, 'ResourceInUseException')) throw error;
  }
  for (let i = 0; i < 100; i++) {
    const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
    if (summary.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    await sleep(10);
  }
  throw new Error(`stream ${streamName} did not become ACTIVE`);
}

/** Creates the control table (pk/sk strings, on-demand) if missing. */
export async function ensureControlTable(dynamo: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await dynamo.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    if (!isName(error, 'ResourceInUseException')) throw error;
  }
  for (let i = 0; i < 100; i++) {
    const table = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
    if (table.Table?.TableStatus === 'ACTIVE') return;
    await sleep(10);
  }
  throw new Error(`table ${tableName} did not become ACTIVE`);
}
