import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { awsClientConfig } from '../../core/aws/clientConfig.ts';
import { AssignmentStore } from '../../core/control/assignmentStore.ts';
import { readShardAssignment } from '../../core/control/readShardAssignment.ts';
import { refreshChannels, type RefreshDeps, type RefreshSettings } from '../../core/control/refreshChannels.ts';
import { EcsScaler } from '../../core/control/scaler.ts';
import type { LiveChannel } from '../../core/control/rebalance.ts';
import { createLogger } from '../../core/log.ts';
import { EMULATOR_REGION, startDynamo, type DynamoEmulator } from '../helpers/emulators.ts';

const quiet = createLogger('error');
const settings: RefreshSettings = { rebalance: { shardCapacity: 100, offlineGraceMs: 10 * 60_000 }, standbyTasks: 1 };

const channels = (prefix: string, count: number, top = 10_000): LiveChannel[] =>
  Array.from({ length: count }, (_, i) => ({ login: `${prefix}${i}`, id: `${prefix}-${i}`, viewers: Math.floor(top / (i + 1)) }));

function deps(store: AssignmentStore, live: LiveChannel[], extra: Partial<RefreshDeps> = {}): RefreshDeps {
  return {
    discover: async () => ({ source: 'static', channels: live, streams: [], pages: 0 }),
    store,
    scaler: null,
    publishSnapshots: null,
    log: quiet,
    ...extra,
  };
}

describe('channel refresher assignment store (dynalite)', () => {
  let dynamo: DynamoEmulator;
  let client: DynamoDBClient;
  let table = 0;

  before(async () => {
    dynamo = await startDynamo();
    client = new DynamoDBClient(awsClientConfig({ region: EMULATOR_REGION, endpoint: dynamo.endpoint }));
  });
  after(async () => {
    client.destroy();
    await dynamo.close();
  });

  /** A fresh control table per test, so tests do not see each other's epochs. */
  async function freshStore(): Promise<{ store: AssignmentStore; tableName: string }> {
    const { CreateTableCommand, waitUntilTableExists } = await import('@aws-sdk/client-dynamodb');
    const tableName = `control-${++table}`;
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await waitUntilTableExists({ client, maxWaitTime: 10, minDelay: 1 }, { TableName: tableName });
    return { store: new AssignmentStore(client, tableName), tableName };
  }

  async function readAll(tableName: string) {
    const stored = await new AssignmentStore(client, tableName).read();
    const shards = await Promise.all(stored.shards.map((_, shardId) => readShardAssignment(client, tableName, shardId)));
    return { meta: stored.meta!, shards: shards.map((s) => s!) };
  }

  it('stores shards that an ingester reads back one by one, and a repeat refresh moves nothing', async () => {
    const { store, tableName } = await freshStore();
    const live = channels('a', 450);
    const first = await refreshChannels(deps(store, live), settings);
    assert.equal(first.shards, 5);
    assert.equal(first.added, 450);
    const { meta, shards } = await readAll(tableName);
    assert.equal(meta.epoch, 1);
    assert.equal(meta.desiredCount, 6);
    assert.deepEqual(shards.flatMap((s) => s.channels.map((c) => c.login)).sort(), live.map((c) => c.login).sort());
    assert.ok(shards.every((s) => s.epoch === 1 && s.channels.length <= 100));
    const second = await refreshChannels(deps(store, live), settings);
    assert.deepEqual([second.moved, second.added, second.removed, second.epoch], [0, 0, 0, 2]);
  });

  it('asks for one task per (shard, replica) slot plus the standbys when channels are captured twice', async () => {
    // Prepare
    const { store, tableName } = await freshStore();
    const asked: number[] = [];
    const scaler = { ensureDesiredCount: async (count: number) => (asked.push(count), { changed: true, previous: undefined }) };
    // Act
    const report = await refreshChannels(deps(store, channels('r', 450), { scaler }), { ...settings, captureReplicas: 2 });
    // Assess
    assert.equal(report.shards, 5);
    assert.equal(report.desiredCount, 11);
    assert.deepEqual(asked, [11]);
    assert.equal((await readAll(tableName)).meta.desiredCount, 11);
  });

  it('empties shard items when the shard count shrinks, and never reads them back', async () => {
    const { store, tableName } = await freshStore();
    await refreshChannels(deps(store, channels('b', 450)), settings);
    const shrunk = await refreshChannels(deps(store, channels('b', 50)), {
      ...settings,
      rebalance: { ...settings.rebalance, offlineGraceMs: 0 },
    });
    assert.equal(shrunk.shards, 1);
    for (const shardId of [1, 2, 3, 4]) assert.deepEqual((await readShardAssignment(client, tableName, shardId))?.channels, []);
    assert.equal((await readShardAssignment(client, tableName, 0))?.channels.length, 50);
  });

  it('leaves every channel in exactly one shard after concurrent refreshers race', async () => {
    const { tableName } = await freshStore();
    const lists = [channels('c', 900), channels('c', 600, 50_000), [...channels('c', 300), ...channels('d', 500)], channels('d', 700, 3)];
    const reports = [];
    for (let round = 0; round < 3; round++) {
      const racers = lists.map((live) =>
        refreshChannels(deps(new AssignmentStore(client, tableName), live), { ...settings, claimAttempts: 10 }),
      );
      reports.push(...(await Promise.all(racers)));
    }
    assert.ok(
      reports.some((r) => r.claimConflicts > 0),
      'the racers never collided',
    );
    const { meta, shards } = await readAll(tableName);
    const logins = shards.flatMap((s) => s.channels.map((c) => c.login));
    assert.equal(new Set(logins).size, logins.length, 'a channel is in two shards');
    assert.equal(meta.channelCount, logins.length);
    assert.ok(shards.every((s) => s.channels.length <= 100));
    // The winner's live channels are all there: nobody's overwrite lost them.
    const winner = reports.filter((r) => r.epoch === meta.epoch);
    assert.equal(winner.length, 1);
    const winnerList = lists[reports.indexOf(winner[0]!) % lists.length]!;
    const assigned = new Set(logins);
    assert.ok(winnerList.every((c) => assigned.has(c.login)));
    assert.ok(
      shards.every((s) => s.epoch === meta.epoch),
      'a shard item is left from an older epoch',
    );
  });

  it('stops a refresher that a newer one overtakes mid-write, and keeps the newer assignment', async () => {
    const { store, tableName } = await freshStore();
    await refreshChannels(deps(store, channels('f', 400)), settings);
    // The slow refresher's shard puts wait until the fast one has finished.
    let release!: () => void;
    const fastDone = new Promise<void>((resolve) => (release = resolve));
    const slowClient = new DynamoDBClient(awsClientConfig({ region: EMULATOR_REGION, endpoint: dynamo.endpoint }));
    slowClient.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'PutItemCommand') await fastDone;
        return next(args);
      },
      { step: 'initialize', name: 'holdPuts' },
    );
    const slow = refreshChannels(deps(new AssignmentStore(slowClient, tableName), channels('g', 400)), settings);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const fast = await refreshChannels(deps(store, channels('h', 300)), settings);
    release();
    const slowReport = await slow;
    slowClient.destroy();
    assert.equal(slowReport.superseded, true);
    assert.equal(fast.epoch, 3);
    const { meta, shards } = await readAll(tableName);
    assert.equal(meta.epoch, 3);
    const logins = shards.flatMap((s) => s.channels.map((c) => c.login));
    assert.equal(new Set(logins).size, logins.length);
    assert.ok(
      logins.every((login) => !login.startsWith('g')),
      'the superseded assignment leaked into a shard',
    );
    assert.ok(channels('h', 300).every((c) => logins.includes(c.login)));
  });

  it('sets the ECS desired count only when it changes (observed at the SDK middleware)', async () => {
    const { store } = await freshStore();
    const ecs = new ECSClient({ region: EMULATOR_REGION, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const calls: { command: string; input: Record<string, unknown> }[] = [];
    let desiredCount = 1;
    ecs.middlewareStack.add(
      (_next, context) => async (args) => {
        const input = args.input as Record<string, unknown>;
        calls.push({ command: context.commandName!, input });
        if (context.commandName === 'UpdateServiceCommand') desiredCount = input.desiredCount as number;
        const output =
          context.commandName === 'DescribeServicesCommand'
            ? { services: [{ serviceName: 'ingester', desiredCount }] }
            : { service: { desiredCount } };
        return { output: { ...output, $metadata: {} }, response: {} };
      },
      { step: 'initialize', name: 'shortCircuitEcs' },
    );
    const scaler = new EcsScaler(ecs, 'cluster', 'ingester');
    const updates = () => calls.filter((c) => c.command === 'UpdateServiceCommand').map((c) => c.input.desiredCount);

    const first = await refreshChannels(deps(store, channels('e', 250), { scaler }), settings);
    assert.equal(first.scaled, true);
    assert.deepEqual(updates(), [4]);
    const second = await refreshChannels(deps(store, channels('e', 260), { scaler }), settings);
    assert.equal(second.scaled, false);
    assert.deepEqual(updates(), [4]);
    await refreshChannels(deps(store, channels('e', 700), { scaler }), settings);
    assert.deepEqual(updates(), [4, 9]);
    assert.deepEqual(calls[1]?.input, { cluster: 'cluster', service: 'ingester', desiredCount: 4 });
    ecs.destroy();
  });
});
