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
import { injectKinesisFaults } from '../helpers/kinesisFaults.ts';
import { missingFrom, readKinesisEvents } from '../helpers/readKinesisEvents.ts';

/** The 60 s Kinesis outage under load (INGESTER_TEST_OUTAGE_MS shortens it while iterating locally). */
const OUTAGE_MS = Number(process.env.INGESTER_TEST_OUTAGE_MS ?? 60_000);
const BUFFER_BOUND = 3 * 1024 * 1024;

describe('ingester under Kinesis faults (30% entries failing, then an outage)', () => {
  let sim: Simulator;
  let kinesis: KinesisEmulator;
  let dynamo: DynamoEmulator;
  let task: Ingester;
  const journal = tempDir('ingester-faults-');
  let client: KinesisClient;

  before(async () => {
    [sim, kinesis, dynamo] = await Promise.all([
      startSimulator({
        channels: 200,
        messagesPerSecond: 3000,
        trafficAutoStart: false,
        joinLimit: { count: 200, windowMs: 1000 },
        seed: 5,
      }),
      startKinesis({ shardCount: 2 }),
      startDynamo(),
    ]);
    await writeAssignment(dynamo.endpoint, dynamo.tableName, splitIntoShards(sim.channels, 1));
    client = new KinesisClient({ ...awsClientConfig({ region: EMULATOR_REGION, endpoint: kinesis.endpoint }), maxAttempts: 1 });
  });
  after(async () => {
    await task?.shutdown('test over');
    client.destroy();
    await Promise.all([sim?.close(), kinesis?.close(), dynamo?.close()]);
    journal.remove();
  });

  it('loses nothing and keeps its buffer under the bound', async () => {
    // Prepare: the buffer bound is small enough that the outage must spill to the journal
    const faults = injectKinesisFaults(client);
    faults.failRatio = 0.3;
    const env = ingesterEnv(
      {
        ircUrl: sim.ircUrl,
        kinesisEndpoint: kinesis.endpoint,
        streamName: kinesis.streamName,
        dynamoEndpoint: dynamo.endpoint,
        tableName: dynamo.tableName,
        journalDir: journal.path,
      },
      // The simulator and both emulators share this process's event loop, and draining a minute of
      // journal keeps kinesalite busy for seconds: a lease longer than the fixture's 3 s keeps the
      // renewals from starving (lease loss has its own tests).
      { TASK_ID: 'faults-task', BUFFER_MAX_BYTES: String(BUFFER_BOUND), LEASE_DURATION_MS: '20000', LEASE_RENEW_MS: '2000' },
    );
    task = await runIngester(ingesterConfig(env), {
      logger: quietLogger(),
      kinesis: client,
      metrics: createMetrics(undefined, { defaultMetrics: false }),
    });
    await task.whenLeased();
    await waitFor(() => task.pool?.joined === 200, 'channels joined');

    // Act: load with 30% failing entries, then an outage under load, then recovery
    sim.startTraffic();
    await sleep(2000);
    faults.outage = true;
    await sleep(OUTAGE_MS);
    const journaledDuringOutage = task.producer.stats().journalRecords;
    faults.outage = false;
    await sleep(1500);
    sim.stopTraffic();
    await settle(task);

    // Assess
    const stats = task.producer.stats();
    assert.ok(faults.failedEntries > 0);
    assert.ok(journaledDuringOutage > 0, 'the outage never spilled to the journal');
    assert.equal(stats.eventsDropped, 0);
    assert.ok(stats.peakBufferBytes <= BUFFER_BOUND, `peak buffer ${stats.peakBufferBytes} > ${BUFFER_BOUND}`);
    const contents = await readKinesisEvents(client, kinesis.streamName);
    const truth = sim.groundTruth.records();
    const missing = missingFrom(contents.events, truth);
    assert.ok(truth.length > 10_000, `only ${truth.length} events sent`);
    assert.equal(
      missing.length,
      0,
      `${missing.length} of ${truth.length} sent events missing ${JSON.stringify(sim.stats())} ${JSON.stringify(missing.slice(0, 3).map((r) => [r.kind, r.sentAt, r.connectionIds, r.cause]))} received=${task.eventsReceived} accepted=${stats.eventsAccepted} sent=${stats.eventsSent} journal=${stats.journalRecords}`,
    );
  });
});
