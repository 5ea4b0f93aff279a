import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { awsClientConfig } from '../../core/aws/clientConfig.ts';
import { AssignmentStore } from '../../core/control/assignmentStore.ts';
import { AssignmentWatch, type AssignmentChange } from '../../core/control/assignmentWatch.ts';
import type { ShardChannel } from '../../core/control/layout.ts';
import { shardToItem } from '../../core/control/shardItemCodec.ts';
import { EMULATOR_REGION, startDynamo, type DynamoEmulator } from '../helpers/emulators.ts';

const channel = (login: string): ShardChannel => ({ login, id: `id-${login}`, viewers: 10, lastLiveAt: 0 });
const logins = (channels: readonly ShardChannel[]) => channels.map((c) => c.login).sort();

describe('assignment watch (dynalite)', () => {
  let dynamo: DynamoEmulator;
  let table = 0;
  const clients: DynamoDBClient[] = [];

  before(async () => {
    dynamo = await startDynamo();
  });
  after(async () => {
    for (const client of clients) client.destroy();
    await dynamo.close();
  });

  /** A client that records the `pk` of every GetItem it sends (what a poll paid for). */
  function recordingClient(): { client: DynamoDBClient; reads: string[] } {
    const reads: string[] = [];
    const client = new DynamoDBClient(awsClientConfig({ region: EMULATOR_REGION, endpoint: dynamo.endpoint }));
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const key = (args.input as { Key?: { pk?: { S?: string } } }).Key;
        if (context.commandName === 'GetItemCommand') reads.push(key?.pk?.S ?? '?');
        return next(args);
      },
      { step: 'initialize', name: 'recordReads' },
    );
    clients.push(client);
    return { client, reads };
  }

  /** A fresh control table per test, so tests do not see each other's epochs. */
  async function freshTable(): Promise<string> {
    const { CreateTableCommand } = await import('@aws-sdk/client-dynamodb');
    const tableName = `watch-${++table}`;
    const { client } = recordingClient();
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
    return tableName;
  }

  function watchOf(client: DynamoDBClient, tableName: string): { watch: AssignmentWatch; changes: AssignmentChange[] } {
    const changes: AssignmentChange[] = [];
    const watch = new AssignmentWatch({ client, tableName, shardId: 0, onChange: (change) => changes.push(change) });
    return { watch, changes };
  }

  async function refresh(store: AssignmentStore, assignment: ShardChannel[][]): Promise<void> {
    await store.write(await store.read(), { assignment, desiredCount: assignment.length, now: Date.now() });
  }

  it('reads only the small meta item while nothing changed, and the shard item after a refresh', async () => {
    // Prepare
    const tableName = await freshTable();
    const { client, reads } = recordingClient();
    const store = new AssignmentStore(client, tableName);
    await refresh(store, [[channel('a'), channel('b')], [channel('z')]]);
    const { watch, changes } = watchOf(client, tableName);
    await watch.poll();
    assert.deepEqual(logins(changes[0]!.joins), ['a', 'b']);
    reads.length = 0;

    // Act: two idle polls, then a refresh and a poll
    await watch.poll();
    await watch.poll();
    const idleReads = [...reads];
    await refresh(store, [[channel('b'), channel('c')], [channel('z')]]);
    reads.length = 0;
    await watch.poll();

    // Assess
    assert.deepEqual(idleReads, ['meta', 'meta'], 'an idle poll read more than the meta item');
    assert.deepEqual(reads, ['meta', 'shard#0']);
    assert.equal(changes.length, 2);
    assert.deepEqual(logins(changes[1]!.joins), ['c']);
    assert.deepEqual(changes[1]!.parts, ['a']);
    assert.equal(changes[1]!.epoch, 2);
  });

  it('follows a refresh that had claimed its epoch but not yet put the shard item when it polled', async () => {
    // Prepare: a refresher whose shard puts wait until released
    const tableName = await freshTable();
    const { client } = recordingClient();
    const store = new AssignmentStore(client, tableName);
    await refresh(store, [[channel('a')]]);
    const { watch, changes } = watchOf(client, tableName);
    await watch.poll();
    const { client: slowClient } = recordingClient();
    let claimed!: () => void;
    const claimedPromise = new Promise<void>((resolve) => (claimed = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    slowClient.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'PutItemCommand') {
          claimed();
          await released;
        }
        return next(args);
      },
      { step: 'initialize', name: 'holdPuts' },
    );

    // Act: poll between the claim and the put, then after the put
    const slowRefresh = refresh(new AssignmentStore(slowClient, tableName), [[channel('a'), channel('late')]]);
    await claimedPromise;
    await watch.poll();
    const changesMidWrite = changes.length;
    release();
    await slowRefresh;
    await watch.poll();

    // Assess
    assert.equal(changesMidWrite, 1, 'the old shard item was reported as a change');
    assert.equal(changes.length, 2, 'the put that landed after the poll was never noticed');
    assert.deepEqual(logins(changes[1]!.joins), ['late']);
  });

  it('watches a shard item written without a meta item (a table from before the meta epoch was watched)', async () => {
    // Prepare
    const tableName = await freshTable();
    const { client, reads } = recordingClient();
    const put = (epoch: number, channels: ShardChannel[]) =>
      client.send(new PutItemCommand({ TableName: tableName, Item: shardToItem({ shardId: 0, epoch, updatedAt: Date.now(), channels }) }));
    await put(1, [channel('a')]);
    const { watch, changes } = watchOf(client, tableName);
    await watch.poll();

    // Act
    await watch.poll();
    await put(2, [channel('b')]);
    await watch.poll();

    // Assess
    assert.equal(changes.length, 2);
    assert.deepEqual(logins(changes[1]!.joins), ['b']);
    assert.deepEqual(changes[1]!.parts, ['a']);
    assert.ok(reads.includes('meta'), 'the meta item was not tried first');
  });

  it('picks up a shard item that did not exist when the watch started', async () => {
    // Prepare: a refresh that wrote one shard; the watch is on shard 1
    const tableName = await freshTable();
    const { client } = recordingClient();
    const store = new AssignmentStore(client, tableName);
    await refresh(store, [[channel('a')]]);
    const changes: AssignmentChange[] = [];
    const watch = new AssignmentWatch({ client, tableName, shardId: 1, onChange: (change) => changes.push(change) });
    await watch.poll();

    // Act
    await refresh(store, [[channel('a')], [channel('b')]]);
    await watch.poll();

    // Assess
    assert.deepEqual(
      changes.map((c) => logins(c.joins)),
      [[], ['b']],
    );
  });
});
