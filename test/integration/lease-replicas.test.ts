import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { awsClientConfig } from '../../core/aws/clientConfig.ts';
import { expireLeasesOf } from '../../core/control/expireLeasesOf.ts';
import { leaseKey } from '../../core/control/layout.ts';
import { itemToLease } from '../../core/control/leaseItem.ts';
import { keyToItem } from '../../core/control/shardItemCodec.ts';
import { ShardLease, type LeaseLostReason } from '../../core/control/shardLease.ts';
import { ensureControlTable } from '../../services/local/ensureResources.ts';
import { EMULATOR_REGION, startDynamo, type DynamoEmulator } from '../helpers/emulators.ts';
import { writeAssignment } from '../helpers/ingesterFixture.ts';

let dynamo: DynamoEmulator;
let client: DynamoDBClient;
let tables = 0;
const leases: ShardLease[] = [];

before(async () => {
  dynamo = await startDynamo();
  client = new DynamoDBClient(awsClientConfig({ region: EMULATOR_REGION, endpoint: dynamo.endpoint }));
});
after(async () => {
  for (const l of leases) l.stop();
  client.destroy();
  await dynamo.close();
});

/** A fresh control table with `shards` empty shards, so tests never see each other's leases. */
async function freshTable(shards: number): Promise<string> {
  const tableName = `replicas-${++tables}`;
  await ensureControlTable(client, tableName);
  await writeAssignment(
    dynamo.endpoint,
    tableName,
    Array.from({ length: shards }, () => []),
  );
  return tableName;
}

const task = (tableName: string, owner: string, options: Partial<ConstructorParameters<typeof ShardLease>[0]> = {}) => {
  const l = new ShardLease({ client, tableName, owner, leaseMs: 5000, renewMs: 300, pollMs: 100, replicas: 2, ...options });
  leases.push(l);
  return l;
};
const slotOf = (l: ShardLease) => `${l.shardId}/${l.replica}`;
const readSlot = async (tableName: string, shardId: number, replica: number) => {
  const item = (
    await client.send(new GetItemCommand({ TableName: tableName, Key: keyToItem(leaseKey(shardId, replica)), ConsistentRead: true }))
  ).Item;
  return item ? itemToLease(item) : undefined;
};

describe('shard leases with CAPTURE_REPLICAS=2', () => {
  it('gives the two replicas of every shard to two different tasks when four claim at once', async () => {
    // Prepare
    const tableName = await freshTable(2);
    const tasks = ['a', 'b', 'c', 'd'].map((owner) => task(tableName, owner));
    // Act
    await Promise.all(tasks.map((t) => t.acquire()));
    // Assess
    assert.deepEqual(tasks.map(slotOf).sort(), ['0/0', '0/1', '1/0', '1/1']);
    for (const shardId of [0, 1]) {
      const owners = await Promise.all([0, 1].map(async (r) => (await readSlot(tableName, shardId, r))?.owner));
      assert.equal(new Set(owners).size, 2, `shard ${shardId} has two distinct owners: ${owners.join(', ')}`);
    }
    const fifth = task(tableName, 'e');
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 500);
    await assert.rejects(
      fifth.acquire(abort.signal),
      { name: 'AbortError' },
      'no fifth slot exists: a task never takes a second replica of a held shard',
    );
    await Promise.all(tasks.map((t) => t.release()));
  });

  it('serves a shard nobody captures first, then prefers a slot whose sibling is in another zone', async () => {
    // Prepare: shard 0 is held in zone a, shard 1 in zone b, shard 2 by nobody.
    const tableName = await freshTable(3);
    assert.ok(await task(tableName, 'in-a', { zone: 'a' }).tryClaim(0, 0));
    assert.ok(await task(tableName, 'in-b', { zone: 'b' }).tryClaim(1, 0));
    // Act
    const first = task(tableName, 'new-c', { zone: 'c' });
    await first.acquire();
    const inA = ['new-a-1', 'new-a-2', 'new-a-3'].map((owner) => task(tableName, owner, { zone: 'a' }));
    for (const t of inA) await t.acquire();
    // Assess
    assert.equal(first.shardId, 2, 'the uncaptured shard comes first');
    assert.deepEqual(
      inA.slice(0, 2).map(slotOf).sort(),
      ['1/1', `2/${1 - first.replica!}`],
      'then shards whose other copy is in another zone',
    );
    assert.equal(slotOf(inA[2]!), '0/1', 'the same-zone sibling only when nothing else is free');
    assert.equal((await readSlot(tableName, 0, 1))?.zone, 'a', 'the lease records the holder zone');
  });

  it('expires only the dead owner items, keeps the owner for the next claimer, and the slot is claimable at once', async () => {
    // Prepare
    const tableName = await freshTable(2);
    const dead = task(tableName, 'dead', { leaseMs: 60_000 });
    const alive = task(tableName, 'alive', { leaseMs: 60_000 });
    const other = task(tableName, 'other', { leaseMs: 60_000 });
    assert.ok(await dead.tryClaim(1, 1));
    assert.ok(await alive.tryClaim(1, 0));
    assert.ok(await other.tryClaim(0, 0));
    dead.stop(); // kill -9: no release, no more renewals
    const before = await Promise.all([readSlot(tableName, 1, 0), readSlot(tableName, 0, 0)]);
    // Act
    const diedAt = Date.now();
    const expired = await expireLeasesOf({ client, tableName, owner: 'dead', diedAt });
    // Assess
    assert.deepEqual(
      expired.map((l) => `${l.shardId}/${l.replica}`),
      ['1/1'],
    );
    const reaped = await readSlot(tableName, 1, 1);
    assert.deepEqual([reaped?.owner, reaped?.expiresAt, reaped?.diedAt], ['dead', 0, diedAt]);
    const after = await Promise.all([readSlot(tableName, 1, 0), readSlot(tableName, 0, 0)]);
    assert.deepEqual(after, before, 'leases of live owners are untouched');
    const replacement = task(tableName, 'replacement', { leaseMs: 60_000 });
    assert.ok(await replacement.tryClaim(1, 1), 'a reaped slot is claimable at once, long before its lease would have run out');
    assert.deepEqual(replacement.takeover, { previousOwner: 'dead', lastSeenAt: diedAt });
    assert.deepEqual(
      await expireLeasesOf({ client, tableName, owner: 'dead', diedAt }),
      [],
      'a second reap finds nothing of the dead owner',
    );
  });

  it('records no takeover for a slot released cleanly, and a reaped holder that still runs loses its slot', async () => {
    // Prepare
    const tableName = await freshTable(1);
    const leaving = task(tableName, 'leaving');
    assert.ok(await leaving.tryClaim(0, 0));
    await leaving.release();
    const next = task(tableName, 'next');
    assert.ok(await next.tryClaim(0, 0));
    assert.equal(next.takeover, undefined);
    const lost: LeaseLostReason[] = [];
    next.onLost((_, reason) => lost.push(reason));
    // Act: the reaper thinks `next` died (a stale stop event); its next renewal must not revive the lease.
    await expireLeasesOf({ client, tableName, owner: 'next', diedAt: Date.now() });
    await new Promise((r) => setTimeout(r, 700));
    // Assess
    assert.deepEqual(lost, ['taken']);
    assert.equal((await readSlot(tableName, 0, 0))?.expiresAt, 0);
  });

  it('polls the lease items eventually consistent as a standby with a sibling replica, strongly consistent with none', async () => {
    // Prepare: a client that records the ConsistentRead of every BatchGetItem
    const tableName = await freshTable(1);
    const recording = new DynamoDBClient(awsClientConfig({ region: EMULATOR_REGION, endpoint: dynamo.endpoint }));
    const consistentReads: boolean[] = [];
    recording.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'BatchGetItemCommand') {
          const requests = Object.values((args.input as { RequestItems: Record<string, { ConsistentRead?: boolean }> }).RequestItems);
          consistentReads.push(...requests.map((r) => r.ConsistentRead === true));
        }
        return next(args);
      },
      { step: 'initialize', name: 'recordConsistency' },
    );
    const twoReplicas = task(tableName, 'two', { client: recording });
    const oneReplica = task(tableName, 'one', { client: recording, replicas: 1 });
    // Act
    await twoReplicas.acquire();
    const withSibling = consistentReads.splice(0);
    await twoReplicas.release();
    await oneReplica.acquire();
    const alone = consistentReads.splice(0);
    await oneReplica.release();
    recording.destroy();
    // Assess
    assert.deepEqual(withSibling, [false]);
    assert.deepEqual(alone, [true]);
  });
});
