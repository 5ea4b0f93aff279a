import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventId, orphanAnchor } from '../../core/irc/eventId.ts';
import { parseLine } from '../../core/irc/parseLine.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { awsClientConfig } from '../../core/aws/clientConfig.ts';
import { readLeases } from '../../core/control/leaseStore.ts';
import { isStreamSnapshot } from '../../core/events/streamEvent.ts';
import { HELD_JOURNAL_FILE } from '../../services/ingester/heldJournal.ts';
import { DEFAULT_MIX } from '../../services/twitch-sim/resolveSimulatorOptions.ts';
import { startSimulator, type Simulator } from '../../services/twitch-sim/startSimulator.ts';
import type { TrafficMix } from '../../services/twitch-sim/types.ts';
import { EMULATOR_REGION, startDynamo, startKinesis, type DynamoEmulator, type KinesisEmulator } from '../helpers/emulators.ts';
import { ingesterEnv, splitIntoShards, tempDir, waitFor, writeAssignment } from '../helpers/ingesterFixture.ts';
import { readKinesisEvents } from '../helpers/readKinesisEvents.ts';

/**
 * NOTICEs (id-less, no tmi-sent-ts: a replica holds one until its channel's next timestamped line,
 * 120 s at most) and chat messages (the timestamped lines that resolve them), one to one.
 */
const NOTICES_AND_CHAT = Object.fromEntries(
  Object.keys(DEFAULT_MIX).map((k) => [k, k === 'notice' || k === 'message' ? 1 : 0]),
) as unknown as TrafficMix;

/** The hold journal's entries not released yet (holds minus releases), of keys below `below` when given. */
function heldEntries(dir: string, below = Infinity): number {
  let text = '';
  try {
    text = readFileSync(join(dir, HELD_JOURNAL_FILE), 'utf8');
  } catch {
    return 0;
  }
  const open = new Set<number>();
  for (const line of text.split('\n').filter(Boolean)) {
    const entry = JSON.parse(line) as { k?: number; d?: number };
    if (entry.d !== undefined) open.delete(entry.d);
    else if (entry.k! < below) open.add(entry.k!);
  }
  return open.size;
}

/**
 * A line sent n times has at most n ids in the stream: identical NOTICEs separated by a chat line
 * are distinct events, and identical ones with nothing between share their id by design.
 */
function assertNoneTwice(ids: Map<string, Set<string>>, sent: readonly string[]): void {
  const times = new Map<string, number>();
  for (const raw of sent) times.set(raw, (times.get(raw) ?? 0) + 1);
  for (const [raw, set] of ids)
    assert.ok(set.size <= times.get(raw)!, `sent ${times.get(raw)} times, stored under ${set.size} ids: ${raw}`);
}

describe('CAPTURE_REPLICAS=2: an ingester killed while it holds id-less lines', () => {
  let sim: Simulator;
  let kinesis: KinesisEmulator;
  let dynamo: DynamoEmulator;
  const children: ChildProcess[] = [];
  const dirs: { path: string; remove(): void }[] = [];

  before(async () => {
    [sim, kinesis, dynamo] = await Promise.all([
      startSimulator({ channels: 10, trafficAutoStart: false, joinLimit: { count: 200, windowMs: 1000 }, seed: 31, mix: NOTICES_AND_CHAT }),
      startKinesis({ shardCount: 1 }),
      startDynamo(),
    ]);
    await writeAssignment(dynamo.endpoint, dynamo.tableName, splitIntoShards(sim.channels, 1));
  });
  after(async () => {
    const running = children.filter((child) => child.exitCode === null && child.signalCode === null);
    for (const child of running) child.kill('SIGKILL');
    await Promise.all(running.map((child) => once(child, 'exit')));
    await Promise.all([sim?.close(), kinesis?.close(), dynamo?.close()]);
    for (const dir of dirs) dir.remove();
  });

  /** An ingester process; with `logs`, at info level and its log lines collected there. */
  const startIngester = (taskId: string, journalDir: string, logs?: string[]) => {
    const env = ingesterEnv(
      {
        ircUrl: sim.ircUrl,
        kinesisEndpoint: kinesis.endpoint,
        streamName: kinesis.streamName,
        dynamoEndpoint: dynamo.endpoint,
        tableName: dynamo.tableName,
        journalDir,
      },
      { TASK_ID: taskId, CAPTURE_REPLICAS: '2', SHARD_ID: '0', LEASE_DURATION_MS: '3000', ...(logs ? { LOG_LEVEL: 'info' } : {}) },
    );
    const child = spawn(process.execPath, ['--import', 'tsx', 'services/ingester/main.ts'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', logs ? 'pipe' : process.env.TEST_LOG_LEVEL ? 'inherit' : 'ignore'],
    });
    if (logs) {
      let rest = '';
      child.stderr!.on('data', (chunk: Buffer) => {
        const lines = (rest + chunk.toString()).split('\n');
        rest = lines.pop()!;
        logs.push(...lines);
      });
    }
    children.push(child);
    return child;
  };
  const newDir = () => {
    const dir = tempDir('ingester-held-');
    dirs.push(dir);
    return dir.path;
  };
  const leases = async () => {
    const client = new DynamoDBClient(awsClientConfig({ region: EMULATOR_REGION, endpoint: dynamo.endpoint }));
    try {
      return await readLeases({ client, tableName: dynamo.tableName }, [0], 2);
    } finally {
      client.destroy();
    }
  };
  /** Per raw NOTICE line sent so far: the distinct event ids it has in the stream. */
  const idsByRaw = async (sent: readonly string[]) => {
    const client = new KinesisClient(awsClientConfig({ region: EMULATOR_REGION, endpoint: kinesis.endpoint }));
    const { events } = await readKinesisEvents(client, kinesis.streamName);
    client.destroy();
    const ids = new Map<string, Set<string>>(sent.map((raw) => [raw, new Set<string>()]));
    for (const event of events) if (!isStreamSnapshot(event)) ids.get(event.raw)?.add(event.event_id);
    return ids;
  };
  const sentNotices = () =>
    sim.groundTruth
      .records()
      .filter((r) => r.cause === 'traffic' && r.kind === 'notice')
      .map((r) => r.raw!);

  it('alone on its shard (the sibling slot empty): the restart on the same disk sends what it held', async () => {
    // Prepare: one replica of the shard's two, all 10 channels joined
    const journal = newDir();
    const first = startIngester('held-alone', journal);
    await waitFor(() => sim.stats().joinedChannels === 10, 'the ingester to join 10 channels', 30_000);
    // Act: NOTICEs that nobody else reads, held (no timestamped line follows), then kill -9
    sim.tick(30);
    await waitFor(() => heldEntries(journal) > 0, 'the NOTICEs in the hold journal', 10_000);
    await sleep(300);
    first.kill('SIGKILL');
    await once(first, 'exit');
    const held = heldEntries(journal);
    const beforeRestart = await idsByRaw(sentNotices());
    const missingBeforeRestart = [...beforeRestart.values()].filter((ids) => ids.size === 0).length;
    assert.ok(missingBeforeRestart > 0, 'the killed process held some NOTICEs it never sent');
    const restarted = startIngester('held-alone-restarted', journal);
    try {
      // Assess: every NOTICE in the stream, under one id each, and the journal acknowledged
      await waitFor(
        async () => [...(await idsByRaw(sentNotices())).values()].every((ids) => ids.size > 0),
        'every NOTICE in the stream',
        30_000,
      );
      assertNoneTwice(await idsByRaw(sentNotices()), sentNotices());
      // Those it held were let go before their anchor came: orphans, which the sinks match by content with any other copy.
      const client = new KinesisClient(awsClientConfig({ region: EMULATOR_REGION, endpoint: kinesis.endpoint }));
      const { events } = await readKinesisEvents(client, kinesis.streamName);
      client.destroy();
      const replayed = events.flatMap((e) => (!isStreamSnapshot(e) && beforeRestart.get(e.raw)?.size === 0 ? [e] : []));
      assert.equal(new Set(replayed.map((e) => e.raw)).size, missingBeforeRestart);
      for (const event of replayed) assert.equal(event.event_id, eventId(parseLine(event.raw), orphanAnchor(event.received_at)), event.raw);
      // The restart holds lines of its own (the ROOMSTATE of each JOIN); the left-over ones come first, keys 0…held-1.
      await waitFor(() => heldEntries(journal, held) === 0, 'the replayed entries acknowledged', 15_000);
      assert.ok(held > 0, 'the killed process held NOTICEs');
    } finally {
      restarted.kill('SIGTERM');
      await once(restarted, 'exit');
    }
  });

  it('with a sibling that read them too: the restart leaves them to the sibling, so each is stored once', async () => {
    // Prepare: both replicas serve the shard and have recorded their joined time on the lease
    const before = new Set(sentNotices());
    const journalA = newDir();
    const a = startIngester('held-a', journalA);
    const b = startIngester('held-b', newDir());
    await waitFor(
      async () => (await leases()).filter((l) => (l.owner === 'held-a' || l.owner === 'held-b') && l.joinedAt !== undefined).length === 2,
      'both replicas joined and marked on their leases',
      30_000,
    );
    // Act: NOTICEs both read and hold; kill -9 one, restart it on its disk, then stop the sibling in order
    sim.tick(30);
    await waitFor(() => heldEntries(journalA) > 0, 'the NOTICEs held by replica A', 10_000);
    await sleep(300);
    a.kill('SIGKILL');
    await once(a, 'exit');
    const aHeld = heldEntries(journalA);
    const restartLogs: string[] = [];
    const restarted = startIngester('held-a-restarted', journalA, restartLogs);
    await waitFor(() => heldEntries(journalA, aHeld) === 0, 'the restart to deal with what A held', 15_000);
    // The restart leaves to B the lines A held without an id yet, which B read too (lines A had given
    // their id are sent: B gave them the same one).
    await waitFor(() => restartLogs.some((l) => l.includes('held events of an earlier run replayed')), 'the replay report', 10_000);
    const report = JSON.parse(restartLogs.find((l) => l.includes('held events of an earlier run replayed'))!) as {
      sent: number;
      witnessed: number;
    };
    assert.ok(report.witnessed > 0, `the restart left none to the sibling: ${JSON.stringify(report)}`);
    // Chat in every channel: B gives what it still holds the id of the line that followed (not the fallback).
    sim.tick(300);
    await sleep(500);
    b.kill('SIGTERM');
    await once(b, 'exit');
    // Assess: every new NOTICE in the stream under exactly one id (B's), none twice
    const fresh = sentNotices().filter((raw) => !before.has(raw));
    assert.ok(aHeld > 0 && fresh.length > 0, `A held ${aHeld}, ${fresh.length} new NOTICEs`);
    await waitFor(async () => [...(await idsByRaw(fresh)).values()].every((ids) => ids.size > 0), 'every new NOTICE in the stream', 20_000);
    assertNoneTwice(await idsByRaw(fresh), fresh);
    restarted.kill('SIGTERM');
    await once(restarted, 'exit');
  });
});
