import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { awsClientConfig } from '../../core/aws/clientConfig.ts';
import type { ChatEvent } from '../../core/events/chatEvent.ts';
import { normalizeLine } from '../../core/irc/normalizeLine.ts';
import { createMetrics } from '../../core/metrics.ts';
import { fileOptOutStore } from '../../core/optout/optOutStores.ts';
import { setEntry } from '../../core/optout/optOuts.ts';
import { runIngester, type Ingester } from '../../services/ingester/runIngester.ts';
import { startSimulator, type Simulator } from '../../services/twitch-sim/startSimulator.ts';
import { EMULATOR_REGION, startDynamo, startKinesis, type DynamoEmulator, type KinesisEmulator } from '../helpers/emulators.ts';
import {
  ingesterConfig,
  ingesterEnv,
  quietLogger,
  settle,
  splitIntoShards,
  tempDir,
  waitFor,
  writeAssignment,
} from '../helpers/ingesterFixture.ts';
import { injectKinesisFaults } from '../helpers/kinesisFaults.ts';
import { readJournalEvents } from '../helpers/readJournalEvents.ts';
import { missingFrom, readKinesisEvents } from '../helpers/readKinesisEvents.ts';

const about = (id: string) => (e: ChatEvent) => e.user_id === id || e.target_user_id === id;

describe('a running ingester and an opt-out while Kinesis is down', () => {
  let sim: Simulator;
  let kinesis: KinesisEmulator;
  let dynamo: DynamoEmulator;
  let task: Ingester | undefined;
  let client: KinesisClient;
  const dir = tempDir('optout-ingester-run-');

  before(async () => {
    [sim, kinesis, dynamo] = await Promise.all([
      startSimulator({
        channels: 20,
        messagesPerSecond: 400,
        trafficAutoStart: false,
        joinLimit: { count: 200, windowMs: 1000 },
        seed: 18,
      }),
      startKinesis({ shardCount: 1 }),
      startDynamo(),
    ]);
    await writeAssignment(dynamo.endpoint, dynamo.tableName, splitIntoShards(sim.channels, 1));
    client = new KinesisClient({ ...awsClientConfig({ region: EMULATOR_REGION, endpoint: kinesis.endpoint }), maxAttempts: 1 });
  });
  after(async () => {
    await task?.shutdown('test over');
    client.destroy();
    await Promise.all([sim?.close(), kinesis?.close(), dynamo?.close()]);
    dir.remove();
  });

  it('purges the journal of a user opted out meanwhile, drops their new events, and the stream then gets everyone else', async () => {
    // Prepare: Kinesis down from the start, so everything waits in the journal
    const faults = injectKinesisFaults(client);
    faults.outage = true;
    const optOutsFile = join(dir.path, 'optouts.json');
    const journalDir = join(dir.path, 'journal');
    const env = ingesterEnv(
      {
        ircUrl: sim.ircUrl,
        kinesisEndpoint: kinesis.endpoint,
        streamName: kinesis.streamName,
        dynamoEndpoint: dynamo.endpoint,
        tableName: dynamo.tableName,
        journalDir,
      },
      { TASK_ID: 'optout-task', OPTOUTS_FILE: optOutsFile, OPTOUT_POLL_MS: '200', LEASE_DURATION_MS: '20000', LEASE_RENEW_MS: '2000' },
    );
    const metrics = createMetrics(undefined, { defaultMetrics: false });
    task = await runIngester(ingesterConfig(env), { logger: quietLogger(), kinesis: client, metrics });
    await task.whenLeased();
    await waitFor(() => task!.pool?.joined === 20, 'channels joined');
    sim.startTraffic();
    await sleep(2500);
    // The chattiest user in the journal leaves
    const counts = new Map<string, number>();
    for (const e of readJournalEvents(journalDir) as ChatEvent[]) if (e.user_id) counts.set(e.user_id, (counts.get(e.user_id) ?? 0) + 1);
    const [leaver, journaled] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
    assert.ok(journaled >= 3, `the leaver has ${journaled} events in the journal`);
    // Act
    await fileOptOutStore(optOutsFile).update((o) => setEntry(o, 'users', leaver, { login: null, at: Date.now(), by: 'admin' }));
    // Assess: the journal loses them within a few polls while traffic goes on
    await waitFor(() => !(readJournalEvents(journalDir) as ChatEvent[]).some(about(leaver)), 'the journal without the leaver', 10_000);
    await sleep(1500);
    assert.ok(!(readJournalEvents(journalDir) as ChatEvent[]).some(about(leaver)), 'nothing new of them is journaled');
    faults.outage = false;
    sim.stopTraffic();
    await settle(task);
    const sent = (await readKinesisEvents(client, kinesis.streamName)).events as ChatEvent[];
    const truth = sim.groundTruth.records();
    const theirs = truth.filter((r) => {
      const result = normalizeLine(r.raw!, r.sentAt);
      return result.type === 'event' && about(leaver)(result.event);
    });
    const dropped = (await metrics.registry.getSingleMetric('poglytics_optout_dropped_events_total')!.get()).values;
    assert.equal(sent.filter(about(leaver)).length, 0, 'nothing of the leaver reached Kinesis');
    assert.deepEqual(missingFrom(sent, truth).filter((r) => !theirs.includes(r)).length, 0, 'everyone else is all there');
    assert.ok(theirs.length > journaled, `${theirs.length} events of the leaver sent by Twitch`);
    assert.ok((dropped.find((v) => v.labels.stage === 'ingester')?.value ?? 0) > 0, 'their later events are counted as dropped');
  });
});
