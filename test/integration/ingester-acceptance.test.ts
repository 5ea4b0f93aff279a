import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { awsClientConfig } from '../../core/aws/clientConfig.ts';
import { createMetrics } from '../../core/metrics.ts';
import { runIngester, type Ingester } from '../../services/ingester/runIngester.ts';
import { startSimulator, type Simulator } from '../../services/twitch-sim/startSimulator.ts';
import { EMULATOR_REGION, startDynamo, startKinesis, type DynamoEmulator, type KinesisEmulator } from '../helpers/emulators.ts';
import {
  ingesterConfig,
  ingesterEnv,
  quietLogger,
  splitIntoShards,
  settle,
  tempDir,
  waitFor,
  writeAssignment,
} from '../helpers/ingesterFixture.ts';
import { missingFrom, readKinesisEvents } from '../helpers/readKinesisEvents.ts';

/**
 * Acceptance: two ingester tasks over 2,000 simulated channels in 4 shards (JOIN budget raised
 * to 200 per second, enforced by the simulator with the same limit). Each task leases one shard
 * (two shards stay unleased: there are only two tasks) and every event the simulator sent to a
 * joined channel must be in Kinesis.
 */
describe('ingester acceptance: 2 tasks, 2,000 channels, 4 shards', () => {
  let sim: Simulator;
  let kinesis: KinesisEmulator;
  let dynamo: DynamoEmulator;
  const dirs: { remove(): void }[] = [];
  const tasks: Ingester[] = [];

  before(async () => {
    [sim, kinesis, dynamo] = await Promise.all([
      startSimulator({
        channels: 2000,
        messagesPerSecond: 1500,
        trafficAutoStart: false,
        joinLimit: { count: 200, windowMs: 1000 },
        seed: 7,
      }),
      startKinesis({ shardCount: 4 }),
      startDynamo(),
    ]);
  });
  after(async () => {
    await Promise.all(tasks.map((t) => t.shutdown('test over')));
    await Promise.all([sim?.close(), kinesis?.close(), dynamo?.close()]);
    dirs.forEach((d) => d.remove());
  });

  it('delivers every event sent to joined channels, and the JOIN limit never disconnects us', async () => {
    // Prepare
    const shards = splitIntoShards(sim.channels, 4);
    await writeAssignment(dynamo.endpoint, dynamo.tableName, shards);
    for (const n of [1, 2]) {
      const journal = tempDir('ingester-journal-');
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
        { TASK_ID: `task-${n}`, CHANNELS_PER_CONNECTION: '200' },
      );
      tasks.push(
        await runIngester(ingesterConfig(env), { logger: quietLogger(), metrics: createMetrics(undefined, { defaultMetrics: false }) }),
      );
    }
    const leased = await Promise.all(tasks.map((t) => t.whenLeased()));
    await waitFor(() => tasks.every((t) => t.pool?.joined === 500), 'both tasks to join their 500 channels', 30_000);

    // Act: traffic for a few seconds, then let everything drain
    sim.startTraffic();
    await sleep(4000);
    sim.stopTraffic();
    await Promise.all(tasks.map((t) => settle(t)));

    // Assess: two distinct shards, exactly their channels joined, 3 connections each
    assert.notEqual(leased[0], leased[1]);
    for (const [i, task] of tasks.entries()) {
      assert.deepEqual(new Set(task.pool!.joinedLogins()), new Set(shards[leased[i]!]!.map((c) => c.login)));
      assert.equal(task.pool!.size, 3);
      assert.equal(task.pool!.failures().size, 0);
    }
    assert.equal(sim.stats().droppedJoinLimit, 0);

    const client = new KinesisClient(awsClientConfig({ region: EMULATOR_REGION, endpoint: kinesis.endpoint }));
    const contents = await readKinesisEvents(client, kinesis.streamName);
    client.destroy();
    const truth = sim.groundTruth.records();
    assert.ok(truth.filter((r) => r.cause === 'traffic').length > 1500, `only ${truth.length} events sent`);
    const missing = missingFrom(contents.events, truth);
    assert.equal(missing.length, 0, `${missing.length} of ${truth.length} events missing, e.g. ${missing[0]?.raw}`);
    assert.equal(contents.rejects, 0);
    assert.deepEqual(contents.formats, { brotli: contents.records, gzip: 0, other: 0 }, 'records are brotli by default');
  });
});
