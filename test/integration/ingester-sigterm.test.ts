import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { awsClientConfig } from '../../core/aws/clientConfig.ts';
import { ShardLease } from '../../core/control/shardLease.ts';
import { decodeRecord } from '../../core/events/kinesisRecordCodec.ts';
import { DiskJournal } from '../../core/kinesis/diskJournal.ts';
import { startSimulator, type Simulator } from '../../services/twitch-sim/startSimulator.ts';
import { EMULATOR_REGION, startDynamo, startKinesis, type DynamoEmulator, type KinesisEmulator } from '../helpers/emulators.ts';
import { ingesterEnv, splitIntoShards, tempDir, waitFor, writeAssignment } from '../helpers/ingesterFixture.ts';
import { missingFrom, readKinesisEvents } from '../helpers/readKinesisEvents.ts';

const LEASE_MS = 3000;

describe('ingester SIGTERM under load (child process)', () => {
  let sim: Simulator;
  let kinesis: KinesisEmulator;
  let dynamo: DynamoEmulator;
  let child: ChildProcess | undefined;
  const journal = tempDir('ingester-sigterm-');
  let standby: ShardLease | undefined;
  let dynamoClient: DynamoDBClient;

  before(async () => {
    [sim, kinesis, dynamo] = await Promise.all([
      startSimulator({
        channels: 300,
        messagesPerSecond: 2000,
        trafficAutoStart: false,
        joinLimit: { count: 200, windowMs: 1000 },
        seed: 3,
      }),
      startKinesis({ shardCount: 2 }),
      startDynamo(),
    ]);
    await writeAssignment(dynamo.endpoint, dynamo.tableName, splitIntoShards(sim.channels, 1));
    dynamoClient = new DynamoDBClient(awsClientConfig({ region: EMULATOR_REGION, endpoint: dynamo.endpoint }));
  });
  after(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    standby?.stop();
    dynamoClient.destroy();
    await Promise.all([sim?.close(), kinesis?.close(), dynamo?.close()]);
    journal.remove();
  });

  it('flushes everything it received, releases the lease, and a standby takes over within one lease period', async () => {
    // Prepare
    const env = ingesterEnv(
      {
        ircUrl: sim.ircUrl,
        kinesisEndpoint: kinesis.endpoint,
        streamName: kinesis.streamName,
        dynamoEndpoint: dynamo.endpoint,
        tableName: dynamo.tableName,
        journalDir: journal.path,
      },
      // A flush interval longer than the test: the lines of the record being filled reach Kinesis
      // only through the shutdown flush (with 100 ms everything would already be sent).
      {
        TASK_ID: 'sigterm-task',
        LOG_LEVEL: 'info',
        LEASE_DURATION_MS: String(LEASE_MS),
        SHUTDOWN_DEADLINE_MS: '8000',
        METRICS_PORT: '0',
        KINESIS_FLUSH_MS: '30000',
        KINESIS_SPILL_AFTER_MS: '30001',
      },
    );
    child = spawn(process.execPath, ['--import', 'tsx', 'services/ingester/main.ts'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const logs: Record<string, unknown>[] = [];
    let buffered = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) if (line.startsWith('{')) logs.push(JSON.parse(line) as Record<string, unknown>);
    });
    await waitFor(() => sim.stats().joinedChannels === 300, 'the child to join 300 channels', 30_000);
    sim.startTraffic();
    await sleep(2500);
    standby = new ShardLease({ client: dynamoClient, tableName: dynamo.tableName, owner: 'standby', leaseMs: LEASE_MS, pollMs: 200 });
    const takeover = standby.acquire();

    // Act: SIGTERM under load
    const sigtermAt = Date.now();
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    const exitedAt = Date.now();
    const shardId = await takeover;
    const tookOverAt = Date.now();
    sim.stopTraffic();

    // Assess: clean exit with a report, lease released and taken over within one lease period
    assert.equal(code, 0);
    const report = logs.find((l) => l.msg === 'shutdown complete');
    assert.ok(report, 'no shutdown report');
    assert.equal(report.leaseReleased, true);
    assert.equal(report.eventsDropped, 0);
    assert.equal(report.eventsAccepted, report.eventsReceived);
    assert.equal(shardId, 0);
    assert.ok(tookOverAt - exitedAt <= LEASE_MS, `takeover ${tookOverAt - exitedAt} ms after exit`);
    assert.ok(exitedAt - sigtermAt < 8000);

    // Everything received is in Kinesis or the journal
    const client = new KinesisClient(awsClientConfig({ region: EMULATOR_REGION, endpoint: kinesis.endpoint }));
    const contents = await readKinesisEvents(client, kinesis.streamName);
    client.destroy();
    const events = [...contents.events];
    const spill = new DiskJournal({ dir: journal.path, maxBytes: 1 << 30 });
    let journaled = 0;
    for (let batch = spill.peek(500, 1 << 30); batch.length > 0; spill.ack(batch.length), batch = spill.peek(500, 1 << 30)) {
      for (const r of batch) {
        const decoded = decodeRecord(r.data).events;
        journaled += decoded.length;
        events.push(...decoded);
      }
    }
    spill.close();
    assert.equal(events.length, report.eventsReceived, 'Kinesis + journal do not hold exactly the events received');
    // The stream was healthy throughout: the shutdown flush put everything in Kinesis, nothing waits for a restart.
    assert.equal(journaled, 0, `${journaled} events were journaled instead of flushed to a healthy stream`);
    assert.ok(contents.events.length > 0);
    const sentBeforeStop = sim.groundTruth.records().filter((r) => r.sentAt < sigtermAt - 500);
    assert.ok(sentBeforeStop.length > 2000);
    const missing = missingFrom(events, sentBeforeStop);
    assert.equal(missing.length, 0, `${missing.length} events sent before SIGTERM are missing`);
    await standby.release();
  });
});
