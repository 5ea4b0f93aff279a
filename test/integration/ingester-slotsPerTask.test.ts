import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { awsClientConfig } from '../../core/aws/clientConfig.ts';
import { leaseKey } from '../../core/control/layout.ts';
import { readLeases } from '../../core/control/leaseStore.ts';
import { keyToItem } from '../../core/control/shardItemCodec.ts';
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
import { missingFrom, readKinesisEvents } from '../helpers/readKinesisEvents.ts';

const CHANNELS = 200;

/**
 * SLOTS_PER_TASK (issue 19): one ingester process serves several (shard, replica) slots, each with
 * its own lease and connection pool over one capture and producer, and never two replicas of one
 * shard. Every event the simulator sent must reach Kinesis; the shutdown ends every session.
 */
describe('ingester with several slots per task', () => {
  let sim: Simulator;
  let kinesis: KinesisEmulator;
  let dynamo: DynamoEmulator;
  let dynamoClient: DynamoDBClient;
  const dirs: { remove(): void }[] = [];
  let tasks: Ingester[] = [];

  before(async () => {
    [sim, kinesis, dynamo] = await Promise.all([
      startSimulator({
        channels: CHANNELS,
        messagesPerSecond: 800,
        trafficAutoStart: false,
        joinLimit: { count: 200, windowMs: 1000 },
        seed: 19,
      }),
      startKinesis({ shardCount: 2 }),
      startDynamo(),
    ]);
    await writeAssignment(dynamo.endpoint, dynamo.tableName, splitIntoShards(sim.channels, 2));
    dynamoClient = new DynamoDBClient(awsClientConfig({ region: EMULATOR_REGION, endpoint: dynamo.endpoint }));
  });
  afterEach(async () => {
    await Promise.all(tasks.map((t) => t.shutdown('test over')));
    tasks = [];
  });
  after(async () => {
    dynamoClient.destroy();
    await Promise.all([sim?.close(), kinesis?.close(), dynamo?.close()]);
    dirs.forEach((d) => d.remove());
  });

  const startTask = async (taskId: string, extra: Record<string, string>) => {
    const journal = tempDir('ingester-slots-');
    dirs.push(journal);
    const env = ingesterEnv(
      {
        ircUrl: sim.ircUrl,
        kinesisEndpoint: kinesis.endpoint,
        streamName: kinesis.streamName,
        dynamoEndpoint: dynamo.endpoint,
        tableName: dynamo.tableName,
        journalDir: journal.path,
      },
      { TASK_ID: taskId, CHANNELS_PER_CONNECTION: '50', ...extra },
    );
    const task = await runIngester(ingesterConfig(env), {
      logger: quietLogger(),
      metrics: createMetrics(undefined, { defaultMetrics: false }),
    });
    tasks.push(task);
    return task;
  };
  const heldShards = (task: Ingester) => task.leases.flatMap((lease) => (lease.shardId === undefined ? [] : [lease.shardId]));
  const readiness = async (task: Ingester) => (await fetch(`http://127.0.0.1:${task.metricsServer.port}/healthz`)).status;

  /** Traffic for a few seconds; then every task shuts down (handing on what it holds) and Kinesis must have every event. */
  const assertEverythingCaptured = async () => {
    const sentBefore = sim.groundTruth.records().length;
    sim.startTraffic();
    await sleep(3000);
    sim.stopTraffic();
    await sleep(500);
    const reports = await Promise.all(tasks.map((t) => t.shutdown('traffic over')));
    tasks = [];
    for (const report of reports) {
      assert.equal(report.eventsDropped, 0);
      assert.equal(report.leaseReleased, true);
    }
    const client = new KinesisClient(awsClientConfig({ region: EMULATOR_REGION, endpoint: kinesis.endpoint }));
    const contents = await readKinesisEvents(client, kinesis.streamName);
    client.destroy();
    const truth = sim.groundTruth.records().slice(sentBefore);
    assert.ok(truth.filter((r) => r.cause === 'traffic').length > 500, `only ${truth.length} events sent`);
    const missing = missingFrom(contents.events, truth);
    assert.equal(missing.length, 0, `${missing.length} of ${truth.length} events missing, e.g. ${missing[0]?.raw}`);
    return reports;
  };

  it('serves two shards from one process with SLOTS_PER_TASK=2 and captures every event of both', async () => {
    // Prepare
    const task = await startTask('slots-one', { SLOTS_PER_TASK: '2' });
    await waitFor(() => heldShards(task).length === 2, 'both slots leased', 15_000);
    await waitFor(() => task.pools.length === 2 && task.pools.every((p) => p.joined === CHANNELS / 2), 'both pools joined', 20_000);
    await waitFor(async () => (await readiness(task)) === 200, 'ready once every slot serves');

    // Assess: one slot per shard, each pool joined to exactly its shard's channels
    assert.deepEqual(new Set(heldShards(task)), new Set([0, 1]));
    const joined = task.pools.flatMap((p) => p.joinedLogins());
    assert.equal(new Set(joined).size, CHANNELS, 'every channel joined once');

    // Act + Assess
    await assertEverythingCaptured();
    const leases = await readLeases({ client: dynamoClient, tableName: dynamo.tableName }, [0, 1], 1);
    assert.ok(
      leases.every((l) => l.owner === undefined),
      'every slot released at shutdown',
    );
  });

  it('with CAPTURE_REPLICAS=2, two tasks of 2 slots each hold one replica of each shard, never both in one task', async () => {
    // Prepare
    const a = await startTask('slots-a', { SLOTS_PER_TASK: '2', CAPTURE_REPLICAS: '2' });
    const b = await startTask('slots-b', { SLOTS_PER_TASK: '2', CAPTURE_REPLICAS: '2' });
    await waitFor(() => heldShards(a).length === 2 && heldShards(b).length === 2, 'all four slots leased', 20_000);
    await waitFor(
      () => tasks.every((t) => t.pools.length === 2 && t.pools.every((p) => p.joined === CHANNELS / 2)),
      'every pool joined',
      20_000,
    );

    // Assess: each task holds shard 0 and shard 1, once each
    for (const task of [a, b]) assert.deepEqual([...heldShards(task)].sort(), [0, 1]);
    const leases = await readLeases({ client: dynamoClient, tableName: dynamo.tableName }, [0, 1], 2);
    assert.equal(leases.filter((l) => l.owner !== undefined).length, 4);
    for (const shardId of [0, 1]) {
      const owners = leases.filter((l) => l.shardId === shardId).map((l) => l.owner);
      assert.deepEqual(new Set(owners), new Set(['slots-a', 'slots-b']), `shard ${shardId} owners ${owners.join(',')}`);
    }

    // Act + Assess
    await assertEverythingCaptured();
  });

  it("gives back a retired shard's slot while its other slot keeps serving, and stays ready", async () => {
    // Prepare: two shards, one task of 2 slots serving both
    const [first, second] = splitIntoShards(sim.channels, 2);
    await writeAssignment(dynamo.endpoint, dynamo.tableName, [first!, second!], 10);
    const task = await startTask('slots-retire', { SLOTS_PER_TASK: '2' });
    await waitFor(() => task.pools.length === 2 && task.pools.every((p) => p.joined === CHANNELS / 2), 'both pools joined', 20_000);

    // Act: the refresher shrinks to one shard (shard 1 emptied first, as it does)
    await writeAssignment(dynamo.endpoint, dynamo.tableName, [[...first!, ...second!], []], 11);
    await writeAssignment(dynamo.endpoint, dynamo.tableName, [[...first!, ...second!]], 11);

    // Assess: shard 1's slot is released; the slot of shard 0 joins all its channels; the freed
    // slot waits (it may not take a second replica of shard 0) and the task is still ready.
    await waitFor(
      async () => {
        const [lease1] = await readLeases({ client: dynamoClient, tableName: dynamo.tableName }, [1], 1);
        return lease1?.owner === undefined;
      },
      'the retired lease to be released',
      15_000,
    );
    await waitFor(() => task.pools.length === 1 && task.pools[0]!.joined === CHANNELS, 'shard 0 serves every channel', 20_000);
    assert.deepEqual(heldShards(task), [0]);
    assert.equal(await readiness(task), 200);
    await sleep(1000);
    assert.deepEqual(heldShards(task), [0], 'the free slot claims nothing');
  });

  it("stops reading only the shard whose lease another task took; the task's other slot keeps serving", async () => {
    // Prepare: two shards, one task of 2 slots serving both
    const [first, second] = splitIntoShards(sim.channels, 2);
    await writeAssignment(dynamo.endpoint, dynamo.tableName, [first!, second!], 20);
    const task = await startTask('slots-lost', { SLOTS_PER_TASK: '2' });
    await waitFor(() => task.pools.length === 2 && task.pools.every((p) => p.joined === CHANNELS / 2), 'both pools joined', 20_000);
    const lostShard = heldShards(task)[1]!;

    // Act: another task owns that slot now (its next renewal is refused)
    await dynamoClient.send(
      new UpdateItemCommand({
        TableName: dynamo.tableName,
        Key: keyToItem(leaseKey(lostShard, 0)),
        UpdateExpression: 'SET #owner = :thief, expiresAt = :exp',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':thief': { S: 'thief' }, ':exp': { N: String(Date.now() + 60_000) } },
      }),
    );

    // Assess: that slot's pool is gone and its lease with it; the other shard is still served
    await waitFor(() => task.pools.length === 1, 'the pool of the lost slot stopped', 10_000);
    assert.deepEqual(heldShards(task), [1 - lostShard]);
    assert.equal(task.pools[0]!.joined, CHANNELS / 2);
    await sleep(1000);
    assert.deepEqual(heldShards(task), [1 - lostShard], 'the freed slot takes neither the stolen shard nor the served one');
    assert.equal(await readiness(task), 200);
  });
});
