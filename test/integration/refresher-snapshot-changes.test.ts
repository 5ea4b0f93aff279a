import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { DeleteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { awsClientConfig } from '../../core/aws/clientConfig.ts';
import { SNAPSHOT_STATE_BUCKETS, snapshotStateKey } from '../../core/control/layout.ts';
import { publishChangedSnapshots } from '../../core/control/publishChangedSnapshots.ts';
import { publishSnapshots } from '../../core/control/publishSnapshots.ts';
import type { SnapshotPolicy } from '../../core/control/selectSnapshots.ts';
import { keyToItem } from '../../core/control/shardItemCodec.ts';
import { SnapshotStateStore } from '../../core/control/snapshotStateStore.ts';
import { isStreamSnapshot } from '../../core/events/streamEvent.ts';
import type { StreamSnapshot } from '../../core/events/streamSnapshot.ts';
import { EMULATOR_REGION, startDynamo, startKinesis, type DynamoEmulator, type KinesisEmulator } from '../helpers/emulators.ts';
import { readKinesisEvents } from '../helpers/readKinesisEvents.ts';

const T0 = 1_700_000_000_000;
const MINUTE = 60_000;
const POLICY: SnapshotPolicy = { viewerChange: 0.2, heartbeatMs: 60 * MINUTE, refreshIntervalMs: 5 * MINUTE };

/** A live channel's snapshot at `capturedAt`, with `change` applied. */
function snapshot(i: number, capturedAt: number, change: Partial<StreamSnapshot> = {}): StreamSnapshot {
  return {
    v: 1,
    kind: 'stream_snapshot',
    event_id: `s:stream${i}:${capturedAt}`,
    channel: `chan${i}`,
    channel_id: `${1000 + i}`,
    stream_id: `stream${i}`,
    game_id: '509658',
    game_name: 'Just Chatting',
    title: `title ${i}`,
    viewer_count: 1000,
    language: 'en',
    started_at: T0 - 3_600_000,
    is_mature: false,
    tags: ['English'],
    captured_at: capturedAt,
    ...change,
  };
}

describe('stream snapshots published only on change or heartbeat (dynalite + kinesalite)', () => {
  let dynamo: DynamoEmulator;
  let kinesis: KinesisEmulator;
  let dynamoClient: DynamoDBClient;
  let kinesisClient: KinesisClient;
  let seen = 0;

  before(async () => {
    [dynamo, kinesis] = await Promise.all([startDynamo(), startKinesis({ shardCount: 1 })]);
    dynamoClient = new DynamoDBClient(awsClientConfig({ region: EMULATOR_REGION, endpoint: dynamo.endpoint }));
    kinesisClient = new KinesisClient(awsClientConfig({ region: EMULATOR_REGION, endpoint: kinesis.endpoint }));
  });
  after(async () => {
    dynamoClient.destroy();
    kinesisClient.destroy();
    await Promise.all([dynamo.close(), kinesis.close()]);
  });
  beforeEach(async () => {
    for (let b = 0; b < SNAPSHOT_STATE_BUCKETS; b++)
      await dynamoClient.send(new DeleteItemCommand({ TableName: dynamo.tableName, Key: keyToItem(snapshotStateKey(b)) }));
    seen = (await readKinesisEvents(kinesisClient, kinesis.streamName)).events.length;
  });

  /** One refresh as a refresher instance would run it; what reached the stream. */
  async function refresh(
    snapshots: StreamSnapshot[],
    now: number,
    store = new SnapshotStateStore(dynamoClient, dynamo.tableName),
  ): Promise<string[]> {
    const result = await publishChangedSnapshots(snapshots, now, {
      state: store,
      policy: POLICY,
      publish: (changed) => publishSnapshots(kinesisClient, kinesis.streamName, changed),
    });
    const events = (await readKinesisEvents(kinesisClient, kinesis.streamName)).events.filter(isStreamSnapshot).slice(seen);
    seen += events.length;
    assert.equal(result.events, events.length);
    return events.map((e) => e.channel).sort();
  }

  const channels = (count: number, at: number, change: (i: number) => Partial<StreamSnapshot> = () => ({})) =>
    Array.from({ length: count }, (_, i) => snapshot(i, at, change(i)));

  it('publishes every channel first, then nothing while nothing changed', async () => {
    assert.equal((await refresh(channels(300, T0), T0)).length, 300);
    assert.deepEqual(await refresh(channels(300, T0 + 5 * MINUTE), T0 + 5 * MINUTE), []);
    assert.deepEqual(
      await refresh(
        channels(300, T0 + 10 * MINUTE, () => ({ viewer_count: 1150 })),
        T0 + 10 * MINUTE,
      ),
      [],
      '+15 % is within the threshold',
    );
  });

  it('republishes a channel whose viewers moved beyond the share, or whose game, title, tags, maturity or stream changed', async () => {
    await refresh(channels(8, T0), T0);
    const changes: Partial<StreamSnapshot>[] = [
      { viewer_count: 1201 },
      { viewer_count: 799 },
      { game_id: '21779', game_name: 'League of Legends' },
      { title: 'new title' },
      { tags: ['English', 'Chill'] },
      { is_mature: true },
      { stream_id: 'restarted' },
      { viewer_count: 1200 },
    ];
    const published = await refresh(
      channels(8, T0 + 5 * MINUTE, (i) => changes[i]!),
      T0 + 5 * MINUTE,
    );
    assert.deepEqual(published, ['chan0', 'chan1', 'chan2', 'chan3', 'chan4', 'chan5', 'chan6']);
    // The new values are the reference now: the same values again are no change.
    assert.deepEqual(
      await refresh(
        channels(8, T0 + 10 * MINUTE, (i) => changes[i]!),
        T0 + 10 * MINUTE,
      ),
      [],
    );
  });

  it("publishes an unchanged channel once in each clock hour, at the hour's last refresh; a channel that changed in that hour is not repeated", async () => {
    const hour = 60 * MINUTE;
    const h = Math.ceil(T0 / hour) * hour + 2 * hour; // a clock hour, later than the other tests' clocks
    const at = (minutes: number) => h + minutes * MINUTE;
    // chan3's title changes at minute 72 (in the second hour) and stays changed.
    const live = (minute: number) => channels(5, at(minute), (i) => (i === 3 && minute >= 72 ? { title: 'changed' } : {}));
    assert.equal((await refresh(live(2), at(2))).length, 5);
    for (let minute = 7; minute <= 57; minute += 5)
      assert.deepEqual(await refresh(live(minute), at(minute)), [], `minute ${minute}: the hour has its row`);
    assert.deepEqual(await refresh(live(62), at(62)), []);
    assert.deepEqual(await refresh(live(72), at(72)), ['chan3']);
    for (let minute = 77; minute <= 112; minute += 5) assert.deepEqual(await refresh(live(minute), at(minute)), [], `minute ${minute}`);
    assert.deepEqual(
      await refresh(live(117), at(117)),
      ['chan0', 'chan1', 'chan2', 'chan4'],
      "the second hour's last refresh: every channel without a row in that hour",
    );
    assert.deepEqual(await refresh(live(122), at(122)), []);
  });

  it('publishes a channel whose last row is two periods old at any refresh (missed refreshes)', async () => {
    const hour = 60 * MINUTE;
    const h = Math.ceil(T0 / hour) * hour + 10 * hour;
    await refresh(channels(3, h + 2 * MINUTE), h + 2 * MINUTE);
    assert.deepEqual(await refresh(channels(3, h + 121 * MINUTE), h + 121 * MINUTE), [], 'within two hours of the last row');
    assert.equal((await refresh(channels(3, h + 122 * MINUTE), h + 122 * MINUTE)).length, 3);
  });

  it('keeps its state across refresher instances (a Lambda cold start), and a slower concurrent save does not overwrite a newer one', async () => {
    await refresh(channels(200, T0), T0);
    const coldClient = new DynamoDBClient(awsClientConfig({ region: EMULATOR_REGION, endpoint: dynamo.endpoint }));
    try {
      const cold = new SnapshotStateStore(coldClient, dynamo.tableName);
      assert.deepEqual(await refresh(channels(200, T0 + 5 * MINUTE), T0 + 5 * MINUTE, cold), []);
      assert.deepEqual(
        await refresh(
          channels(200, T0 + 10 * MINUTE, (i) => (i === 7 ? { title: 'x' } : {})),
          T0 + 10 * MINUTE,
          cold,
        ),
        ['chan7'],
      );

      const slow = await cold.load();
      const fast = new SnapshotStateStore(dynamoClient, dynamo.tableName);
      await fast.save(
        await fast.load(),
        new Map([...slow.entries].map(([id, s]) => [id, { ...s, publishedAt: T0 + 15 * MINUTE }])),
        T0 + 15 * MINUTE,
      );
      const saved = await cold.save(slow, new Map(), T0 + 15 * MINUTE);
      assert.equal(saved.written, 0);
      assert.ok(saved.conflicts > 0);
      assert.equal((await cold.load()).entries.size, 200, 'the slower save emptied the newer state');
    } finally {
      coldClient.destroy();
    }
  });
});
