import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { awsClientConfig } from '../../core/aws/clientConfig.ts';
import { startSimulator, type Simulator } from '../../services/twitch-sim/startSimulator.ts';
import { EMULATOR_REGION, startDynamo, startKinesis, type DynamoEmulator, type KinesisEmulator } from '../helpers/emulators.ts';
import { ingesterEnv, splitIntoShards, tempDir, waitFor, writeAssignment } from '../helpers/ingesterFixture.ts';
import { describeLoss, lossBound } from '../helpers/lossBound.ts';
import { readJournalEvents } from '../helpers/readJournalEvents.ts';
import { missingFrom, readKinesisEvents } from '../helpers/readKinesisEvents.ts';
import { startTcpFaultProxy, type TcpFaultProxy } from '../helpers/tcpFaultProxy.ts';

/** The 30 s of unreachable Kinesis (JOURNAL_TEST_OUTAGE_MS shortens it while iterating). */
const OUTAGE_MS = Number(process.env.JOURNAL_TEST_OUTAGE_MS ?? 30_000);
/** Allowed on top of the measured reading lag (clock reads on either side of a socket). */
const DELIVERY_SLACK_MS = 20;
/** The stated bound: the journal syncs every ~100 ms while the stream fails; a kill loses at most ~200 ms of traffic. */
const MAX_WINDOW_MS = 250;

describe('ingester kill -9 after 30 s of unreachable Kinesis, restarted on the same journal', () => {
  let sim: Simulator;
  let kinesis: KinesisEmulator;
  let dynamo: DynamoEmulator;
  let proxy: TcpFaultProxy;
  const children: ChildProcess[] = [];
  const journal = tempDir('ingester-journal-kill-');

  before(async () => {
    [sim, kinesis, dynamo] = await Promise.all([
      startSimulator({
        channels: 100,
        messagesPerSecond: 2000,
        trafficAutoStart: false,
        joinLimit: { count: 200, windowMs: 1000 },
        seed: 13,
      }),
      startKinesis({ shardCount: 2 }),
      startDynamo(),
    ]);
    await writeAssignment(dynamo.endpoint, dynamo.tableName, splitIntoShards(sim.channels, 1));
    proxy = await startTcpFaultProxy({ host: '127.0.0.1', port: Number(new URL(kinesis.endpoint).port) });
  });
  after(async () => {
    // Children first, and wait for them: a call still arriving after the emulators close would fail there.
    const running = children.filter((child) => child.exitCode === null && child.signalCode === null);
    for (const child of running) child.kill('SIGKILL');
    await Promise.all(running.map((child) => once(child, 'exit')));
    await proxy?.close();
    await Promise.all([sim?.close(), kinesis?.close(), dynamo?.close()]);
    journal.remove();
  });

  const startIngester = () => {
    const env = ingesterEnv(
      {
        ircUrl: sim.ircUrl,
        kinesisEndpoint: proxy.endpoint,
        streamName: kinesis.streamName,
        dynamoEndpoint: dynamo.endpoint,
        tableName: dynamo.tableName,
        journalDir: journal.path,
      },
      { TASK_ID: 'journal-kill-task', KINESIS_SPILL_AFTER_MS: '1000' },
    );
    const child = spawn(process.execPath, ['--import', 'tsx', 'services/ingester/main.ts'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', process.env.TEST_LOG_LEVEL ? 'inherit' : 'ignore'],
    });
    children.push(child);
    return child;
  };

  it('loses only what arrived after the journal last synced, and the restart drains the rest', async () => {
    // Prepare: an ingester child whose Kinesis traffic goes through the proxy, under load
    const first = startIngester();
    await waitFor(() => sim.stats().joinedChannels === 100, 'the child to join 100 channels', 30_000);
    sim.startTraffic();
    await sleep(2000);

    // Act: Kinesis unreachable (connections accepted, nothing answered) for 30 s, then kill -9
    proxy.setMode('blackhole');
    await sleep(OUTAGE_MS);
    first.kill('SIGKILL');
    const killAt = Date.now();
    sim.stopTraffic();
    await once(first, 'exit');
    const journaled = readJournalEvents(journal.path);
    const lastSynced = Math.max(...journaled.map((e) => ('received_at' in e ? e.received_at : 0)));

    // Act: the stream is back; a new process on the same journal folder, with no new traffic
    proxy.setMode('pass');
    startIngester();
    await waitFor(() => readJournalEvents(journal.path).length === 0, 'the restarted ingester to drain the journal', 60_000);

    // Assess: every event sent before the kill is in the stream, except those received after the last sync
    const client = new KinesisClient(awsClientConfig({ region: EMULATOR_REGION, endpoint: kinesis.endpoint }));
    const contents = await readKinesisEvents(client, kinesis.streamName);
    client.destroy();
    const truth = sim.groundTruth.records().filter((r) => r.sentAt <= killAt);
    assert.ok(truth.length > 40_000 * (OUTAGE_MS / 30_000), `only ${truth.length} events sent`);
    assert.ok(journaled.length > truth.length / 2, `only ${journaled.length} events journaled during the outage`);
    // The window is defined on receive time (after the last sync); the ground truth has send
    // times, so it opens one reading lag earlier: the lag measured on the last synced events.
    const sentAtById = new Map(truth.map((r) => [r.eventId, r.sentAt]));
    const readingLagMs = Math.max(
      0,
      ...journaled
        .filter((e) => 'received_at' in e && e.received_at >= lastSynced - 1000)
        .map((e) => ('received_at' in e ? e.received_at : 0) - (sentAtById.get(e.event_id) ?? Infinity)),
    );
    const report = lossBound(truth, missingFrom(contents.events, truth), killAt, lastSynced - readingLagMs - DELIVERY_SLACK_MS);
    process.stdout.write(
      `# ${describeLoss('kill -9 of the ingester after a Kinesis outage', report)}; last journal sync ${killAt - lastSynced} ms before the kill, reading lag ${readingLagMs} ms\n`,
    );
    assert.equal(report.lostOutsideWindow, 0, `${describeLoss('kill -9', report)} ${JSON.stringify(report.examples)}`);
    assert.ok(killAt - lastSynced <= MAX_WINDOW_MS, `the journal last synced ${killAt - lastSynced} ms before the kill`);
  });
});
