import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { awsClientConfig } from '../../core/aws/clientConfig.ts';
import { leaseKey } from '../../core/control/layout.ts';
import { keyToItem } from '../../core/control/shardItemCodec.ts';
import { ShardLease, type LeaseLostReason } from '../../core/control/shardLease.ts';
import { EMULATOR_REGION, startDynamo, type DynamoEmulator } from '../helpers/emulators.ts';
import { writeAssignment } from '../helpers/ingesterFixture.ts';

let dynamo: DynamoEmulator;
let client: DynamoDBClient;
const leases: ShardLease[] = [];

before(async () => {
  dynamo = await startDynamo();
  client = new DynamoDBClient(awsClientConfig({ region: EMULATOR_REGION, endpoint: dynamo.endpoint }));
  await writeAssignment(dynamo.endpoint, dynamo.tableName, [[], [], []]);
});
after(async () => {
  for (const l of leases) l.stop();
  client.destroy();
  await dynamo.close();
});

const lease = (owner: string, options: Partial<ConstructorParameters<typeof ShardLease>[0]> = {}) => {
  const l = new ShardLease({ client, tableName: dynamo.tableName, owner, leaseMs: 1000, renewMs: 300, pollMs: 100, ...options });
  leases.push(l);
  return l;
};
const readLease = async (shardId: number) =>
  (await client.send(new GetItemCommand({ TableName: dynamo.tableName, Key: keyToItem(leaseKey(shardId)), ConsistentRead: true }))).Item;

describe('ShardLease', () => {
  it('gives each shard to exactly one of several tasks claiming at once', async () => {
    const tasks = [lease('a', { shardId: 0 }), lease('b', { shardId: 0 }), lease('c', { shardId: 0 })];
    const won = await Promise.all(tasks.map((t) => t.tryClaim(0)));
    assert.equal(won.filter(Boolean).length, 1);
    await tasks[won.indexOf(true)]!.release();
  });

  it('spreads tasks over distinct shards and keeps them by renewing past the lease period', async () => {
    const tasks = [lease('d'), lease('e'), lease('f')];
    const shards = await Promise.all(tasks.map((t) => t.acquire()));
    assert.deepEqual([...shards].sort(), [0, 1, 2]);
    await sleep(1500);
    assert.ok(tasks.every((t) => t.held));
    const item = await readLease(shards[0]!);
    assert.ok(Number(item!.expiresAt!.N) > Date.now());
    assert.ok(Number(item!.ttl!.N) > Date.now() / 1000);
    await Promise.all(tasks.map((t) => t.release()));
  });

  it('stops at once when another owner took the lease', async () => {
    const holder = lease('g', { shardId: 1 });
    const lost: LeaseLostReason[] = [];
    holder.onLost((_, reason) => lost.push(reason));
    assert.ok(await holder.tryClaim(1));
    await client.send(
      new UpdateItemCommand({
        TableName: dynamo.tableName,
        Key: keyToItem(leaseKey(1)),
        UpdateExpression: 'SET #o = :o',
        ExpressionAttributeNames: { '#o': 'owner' },
        ExpressionAttributeValues: { ':o': { S: 'thief' } },
      }),
    );
    await sleep(500);
    assert.deepEqual(lost, ['taken']);
    assert.equal(holder.held, false);
    await client.send(
      new UpdateItemCommand({
        TableName: dynamo.tableName,
        Key: keyToItem(leaseKey(1)),
        UpdateExpression: 'REMOVE #o',
        ExpressionAttributeNames: { '#o': 'owner' },
      }),
    );
  });

  it('counts the lease lost before it expires when renewals keep failing', async () => {
    const broken = new DynamoDBClient(awsClientConfig({ region: EMULATOR_REGION, endpoint: dynamo.endpoint }));
    let failRenewals = false;
    broken.middlewareStack.add(
      (next, context) => async (args) => {
        if (failRenewals && context.commandName === 'UpdateItemCommand')
          throw Object.assign(new Error('injected'), { name: 'InternalServerError' });
        return next(args);
      },
      { step: 'initialize', name: 'failRenewals' },
    );
    const holder = lease('h', { client: broken, shardId: 2, safetyMs: 200 });
    let lostAt = 0;
    holder.onLost(() => (lostAt = Date.now()));
    assert.ok(await holder.tryClaim(2));
    const expiresAt = Number((await readLease(2))!.expiresAt!.N);
    failRenewals = true;
    await sleep(1300);
    assert.ok(lostAt > 0, 'lease not reported lost');
    assert.ok(lostAt < expiresAt + 1000, 'reported lost only after it could have been taken over');
    broken.destroy();
  });

  it('lets a standby take over an expired lease, and a released one at its next poll', async () => {
    const first = lease('i', { shardId: 0 });
    assert.ok(await first.tryClaim(0));
    first.stop(); // crashed: no renewals, no release
    const standby = lease('j', { shardId: 0 });
    const started = Date.now();
    assert.equal(await standby.acquire(), 0);
    const tookMs = Date.now() - started;
    assert.ok(tookMs >= 800, `taken over after ${tookMs} ms, before the lease expired`);
    await standby.release();
    const next = lease('k', { shardId: 0 });
    assert.equal(await next.acquire(), 0);
    await next.release();
  });
  it('reports a held shard beyond a shrunk shard count as retired, once, and keeps it until released', async () => {
    // Prepare: shard 2 held by a task that may hold any shard, shard 1 by one pinned to it
    const holder = lease('m');
    const pinned = lease('n', { shardId: 1 });
    const retired: number[] = [];
    const pinnedRetired: number[] = [];
    holder.onRetired((shardId) => retired.push(shardId));
    pinned.onRetired((shardId) => pinnedRetired.push(shardId));
    assert.ok(await holder.tryClaim(2));
    assert.ok(await pinned.tryClaim(1));
    // Act: the refresher shrinks the assignment to one shard
    await writeAssignment(dynamo.endpoint, dynamo.tableName, [[]], 2);
    await sleep(1200);
    // Assess
    assert.deepEqual(retired, [2]);
    assert.deepEqual(pinnedRetired, []);
    assert.ok(holder.held, 'the lease is given back by its holder, not dropped');
    await holder.release();
    assert.equal((await readLease(2))?.owner, undefined);
    await pinned.release();
    await writeAssignment(dynamo.endpoint, dynamo.tableName, [[], [], []], 3);
  });
});
