import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { awsClientConfig } from '../../core/aws/clientConfig.ts';
import { startEmulators, type LocalEmulators } from '../../services/local/startEmulators.ts';

describe('local emulators behind one endpoint', () => {
  let emulators: LocalEmulators;
  before(async () => {
    emulators = await startEmulators();
  });
  after(async () => {
    await emulators.close();
  });

  it('routes Kinesis and DynamoDB calls on the same endpoint to their emulators', async () => {
    const config = awsClientConfig({ region: 'us-east-1', endpoint: emulators.endpoint });
    const kinesis = new KinesisClient(config);
    const dynamo = new DynamoDBClient(config);
    await kinesis.send(new CreateStreamCommand({ StreamName: 'routed', ShardCount: 2 }));
    await dynamo.send(
      new CreateTableCommand({
        TableName: 'routed-table',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'routed' }));
    assert.equal(summary.StreamDescriptionSummary?.OpenShardCount, 2);
    const tables = await dynamo.send(new ListTablesCommand({}));
    assert.deepEqual(tables.TableNames, ['routed-table']);
    kinesis.destroy();
    dynamo.destroy();
  });
});
