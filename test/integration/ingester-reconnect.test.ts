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

const CHANNELS = 300;
const JOIN_RATE = { count: 100, windowMs: 1000 };

describe('ingester reconnects (one task, 300 channels on 2 connections)', () => {
  let sim: Simulator;
  let kinesis: KinesisEmulator;
  let dynamo: DynamoEmulator;
  let task: Ingester;
  const journal = tempDir('ingester-reconnect-');
  const suspended = 'suspendedchan';
  const banned = 'bannedchan';

  before(async () => {
    [sim, kinesis, dynamo] = await Promise.all([
      startSimulator({
        channels: CHANNELS,
        messagesPerSecond: 800,
        trafficAutoStart: false,
        joinLimit: JOIN_RATE,
        seed: 11,
        suspendedChannels: [suspended],
        bannedChannels: [banned],
      }),
      startKinesis({ shardCount: 2 }),
      startDynamo(),
    ]);
    const [shard] = splitIntoShards(sim.channels, 1);
    shard!.push({ login: suspended, id: null, viewers: 0, lastLiveAt: 0 }, { login: banned, id: null, viewers: 0, lastLiveAt: 0 });
    await writeAssignment(dynamo.endpoint, dynamo.tableName, [shard!]);
    const env = ingesterEnv(
      {
        ircUrl: sim.ircUrl,
        kinesisEndpoint: kinesis.endpoint,
        streamName: kinesis.streamName,
        dynamoEndpoint: dynamo.endpoint,
        tableName: dynamo.tableName,
        journalDir: journal.path,
      },
      {
        TASK_ID: 'reconnect-task',
        CHANNELS_PER_CONNECTION: '160',
        JOIN_RATE_COUNT: String(JOIN_RATE.count),
        JOIN_RATE_WINDOW_MS: String(JOIN_RATE.windowMs),
        // The simulator shares this process's event loop: a stall longer than the fixture's 20 ms
        // guard can make it read two windows' JOINs as one (seen once at load average 8).
        JOIN_RATE_GUARD_MS: '150',
      },
    );
    task = await runIngester(ingesterConfig(env), { logger: quietLogger(), metrics: createMetrics(undefined, { defaultMetrics: false }) });
    await task.whenLeased();
    await waitFor(() => task.pool?.joined === CHANNELS, 'all channels joined', 20_000);
    sim.startTraffic();
  });
  after(async () => {
    await task?.shutdown('test over');
    await Promise.all([sim?.close(), kinesis?.close(), dynamo?.close()]);
    journal.remove();
  });

  it('marks suspended and banned channels failed with their reason instead of retrying', async () => {
    const failures = task.pool!.failures();
    assert.equal(failures.get(suspended), 'msg_channel_suspended');
    assert.equal(failures.get(banned), 'msg_banned');
    await sleep(500);
    const joinsOfFailed = sim.groundTruth.records().filter((r) => r.channel === suspended && r.kind === 'notice');
    assert.equal(joinsOfFailed.length, 1, 'the suspended channel was retried');
  });

  it('joins the replacement before closing the old connection on RECONNECT, losing nothing', async () => {
    // Prepare: the old connection is closed 5 s after RECONNECT
    const before = new Set(sim.connections().map((c) => c.id));
    const graceMs = 5000;
    // Act
    const sentAt = Date.now();
    assert.equal(sim.injectReconnect({ graceMs }), 2);
    await waitFor(
      () =>
        sim
          .connections()
          .filter((c) => !before.has(c.id))
          .reduce((n, c) => n + c.channels.length, 0) === CHANNELS,
      'replacements joined',
      15_000,
    );
    // Assess: every channel was joined on a new connection before the old one closed
    const rejoins = sim.groundTruth.joins().filter((j) => !before.has(j.connectionId));
    assert.equal(new Set(rejoins.map((j) => j.channel)).size, CHANNELS);
    assert.ok(
      Math.max(...rejoins.map((j) => j.joinedAt)) < sentAt + graceMs,
      'a channel was rejoined only after the old connection closed',
    );
    await waitFor(() => sim.connections().every((c) => !before.has(c.id)), 'old connections closed', 10_000);
    await assertNothingLost();
  });

  it('comes back and rejoins within 2 s plus the join budget after an abrupt drop', async () => {
    const before = new Set(sim.connections().map((c) => c.id));
    const droppedAt = Date.now();
    assert.equal(sim.injectDisconnect(), 2);
    const budgetMs = Math.ceil(CHANNELS / 2 / JOIN_RATE.count) * JOIN_RATE.windowMs;
    await waitFor(() => task.pool?.joined === CHANNELS && task.pool.allUp, 'rejoined', 2000 + budgetMs + 5000);
    const rejoins = sim.groundTruth.joins().filter((j) => !before.has(j.connectionId));
    const rejoinedAfterMs = Math.max(...rejoins.map((j) => j.joinedAt)) - droppedAt;
    assert.ok(rejoinedAfterMs <= 2000 + budgetMs, `rejoined after ${rejoinedAfterMs} ms (limit ${2000 + budgetMs})`);
    assert.equal(sim.stats().droppedJoinLimit, 0, 'the JOIN limit disconnected us');
    await assertNothingLost();
  });

  async function assertNothingLost() {
    sim.stopTraffic();
    await settle(task);
    const client = new KinesisClient(awsClientConfig({ region: EMULATOR_REGION, endpoint: kinesis.endpoint }));
    const contents = await readKinesisEvents(client, kinesis.streamName);
    client.destroy();
    const truth = sim.groundTruth.records();
    const missing = missingFrom(contents.events, truth);
    assert.equal(missing.length, 0, `${missing.length} of ${truth.length} sent events missing`);
    sim.startTraffic();
  }
});
