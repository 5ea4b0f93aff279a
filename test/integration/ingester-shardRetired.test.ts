import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { awsClientConfig } from '../../core/aws/clientConfig.ts';
import { leaseKey } from '../../core/control/layout.ts';
import { keyToItem } from '../../core/control/shardItemCodec.ts';
import { ShardLease } from '../../core/control/shardLease.ts';
import { createMetrics } from '../../core/metrics.ts';
import { runIngester, type Ingester } from '../../services/ingester/runIngester.ts';
import { startSimulator, type Simulator } from '../../services/twitch-sim/startSimulator.ts';
import { EMULATOR_REGION, startDynamo, startKinesis, type DynamoEmulator, type KinesisEmulator } from '../helpers/emulators.ts';
import {
  ingesterConfig,
  ingesterEnv,
  quietLogger,
  splitIntoShards,
  tempDir,
  waitFor,
  writeAssignment,
} from '../helpers/ingesterFixture.ts';

const CHANNELS = 20;

describe('ingester whose shard the refresher retired (shard index >= shardCount)', () => {
  let sim: Simulator;
  let kinesis: KinesisEmulator;
  let dynamo: DynamoEmulator;
  let client: DynamoDBClient;
  let task: Ingester | undefined;
  let other: ShardLease | undefined;
  const journal = tempDir('ingester-retired-');

  before(async () => {
    [sim, kinesis, dynamo] = await Promise.all([
      startSimulator({ channels: CHANNELS, trafficAutoStart: false, joinLimit: null, seed: 21 }),
      startKinesis({ shardCount: 1 }),
      startDynamo(),
    ]);
    client = new DynamoDBClient(awsClientConfig({ region: EMULATOR_REGION, endpoint: dynamo.endpoint }));
  });
  after(async () => {
    await task?.shutdown('test over');
    other?.stop();
    client.destroy();
    await Promise.all([sim?.close(), kinesis?.close(), dynamo?.close()]);
    journal.remove();
  });

  it('releases the retired shard and returns to standby, then claims a shard that exists', async () => {
    // Prepare: two shards; another task holds shard 0, so this task takes shard 1.
    const [first, second] = splitIntoShards(sim.channels, 2);
    await writeAssignment(dynamo.endpoint, dynamo.tableName, [first!, second!], 1);
    other = new ShardLease({ client, tableName: dynamo.tableName, owner: 'other-task', leaseMs: 3000 });
    assert.ok(await other.tryClaim(0));
    const env = ingesterEnv(
      {
        ircUrl: sim.ircUrl,
        kinesisEndpoint: kinesis.endpoint,
        streamName: kinesis.streamName,
        dynamoEndpoint: dynamo.endpoint,
        tableName: dynamo.tableName,
        journalDir: journal.path,
      },
      { TASK_ID: 'retired-task' },
    );
    task = await runIngester(ingesterConfig(env), { logger: quietLogger(), metrics: createMetrics(undefined, { defaultMetrics: false }) });
    assert.equal(await task.whenLeased(), 1);
    await waitFor(() => task!.pool?.joined === second!.length, 'shard 1 joined');

    // Act: the refresher shrinks to one shard (shard 1 emptied), and the other task goes away.
    await writeAssignment(dynamo.endpoint, dynamo.tableName, [[...first!, ...second!], []], 2);
    await writeAssignment(dynamo.endpoint, dynamo.tableName, [[...first!, ...second!]], 2);
    await other.release();

    // Assess: shard 1's lease is given back (not left to expire) and the task serves shard 0.
    await waitFor(
      async () => {
        const item = (
          await client.send(new GetItemCommand({ TableName: dynamo.tableName, Key: keyToItem(leaseKey(1)), ConsistentRead: true }))
        ).Item;
        return item?.owner === undefined && Number(item?.releasedAt?.N ?? 0) > 0;
      },
      'the retired lease to be released',
      15_000,
    );
    await waitFor(() => task!.lease.shardId === 0 && task!.pool?.joined === CHANNELS, 'shard 0 claimed and joined', 15_000);
    const lease0 = (
      await client.send(new GetItemCommand({ TableName: dynamo.tableName, Key: keyToItem(leaseKey(0)), ConsistentRead: true }))
    ).Item;
    assert.equal(lease0?.owner?.S, 'retired-task');
  });
});
