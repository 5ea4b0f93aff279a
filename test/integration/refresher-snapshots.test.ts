import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  type PutRecordsOutput,
} from '@aws-sdk/client-kinesis';
import { awsClientConfig } from '../../core/aws/clientConfig.ts';
import { publishSnapshots } from '../../core/control/publishSnapshots.ts';
import { decodeRecord, RecordEncoder } from '../../core/events/kinesisRecordCodec.ts';
import { isStreamSnapshot } from '../../core/events/streamEvent.ts';
import type { StreamSnapshot } from '../../core/events/streamSnapshot.ts';
import { HelixStreamSchema } from '../../core/twitch/schemas.ts';
import { toStreamSnapshot } from '../../core/twitch/toStreamSnapshot.ts';
import { EMULATOR_REGION, startKinesis, type KinesisEmulator } from '../helpers/emulators.ts';

const CAPTURED_AT = 1_700_000_000_000;

function snapshots(count: number): StreamSnapshot[] {
  return Array.from({ length: count }, (_, i) =>
    toStreamSnapshot(
      HelixStreamSchema.parse({
        id: `stream${i}`,
        user_id: `${1000 + i}`,
        user_login: `Chan${i}`,
        game_id: i % 3 === 0 ? '' : '509658',
        game_name: 'Just Chatting',
        title: `title ${i} ${'x'.repeat(i % 50)}`,
        viewer_count: 10_000 - i,
        started_at: '2024-05-01T12:00:00Z',
        language: 'en',
        tags: ['English'],
        is_mature: false,
      }),
      CAPTURED_AT,
    ),
  );
}

async function readAll(client: KinesisClient, streamName: string): Promise<StreamSnapshot[]> {
  const shards = await client.send(new ListShardsCommand({ StreamName: streamName }));
  const events: StreamSnapshot[] = [];
  for (const shard of shards.Shards ?? []) {
    const { ShardIterator } = await client.send(
      new GetShardIteratorCommand({ StreamName: streamName, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }),
    );
    let iterator = ShardIterator;
    for (let page = 0; iterator && page < 50; page++) {
      const out = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      for (const record of out.Records ?? []) {
        const decoded = decodeRecord(record.Data!);
        assert.deepEqual(decoded.rejects, []);
        events.push(...decoded.events.filter(isStreamSnapshot));
      }
      if ((out.Records ?? []).length === 0) break;
      iterator = out.NextShardIterator;
    }
  }
  return events;
}

describe('stream snapshots to Kinesis (kinesalite)', () => {
  let kinesis: KinesisEmulator;
  before(async () => {
    kinesis = await startKinesis({ shardCount: 2 });
  });
  after(async () => {
    await kinesis.close();
  });

  it('turns a Helix stream into a valid StreamSnapshot v1', () => {
    const [first] = snapshots(1);
    assert.deepEqual(first, {
      v: 1,
      kind: 'stream_snapshot',
      event_id: `s:stream0:${CAPTURED_AT}`,
      channel: 'chan0',
      channel_id: '1000',
      stream_id: 'stream0',
      game_id: null,
      game_name: 'Just Chatting',
      title: 'title 0 ',
      viewer_count: 10_000,
      language: 'en',
      started_at: Date.parse('2024-05-01T12:00:00Z'),
      is_mature: false,
      tags: ['English'],
      captured_at: CAPTURED_AT,
    });
  });

  it('writes every snapshot through the record codec, retrying only the entries a PutRecords call failed', async () => {
    const client = new KinesisClient(awsClientConfig({ region: EMULATOR_REGION, endpoint: kinesis.endpoint }));
    const sent: number[] = [];
    let failedOnce = false;
    // Kinesis reports throttled entries inside a 200 response; kinesalite never does, so the first
    // call's first entry is marked failed here (it was stored: the retry makes a harmless duplicate).
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'PutRecordsCommand') return next(args);
        sent.push((args.input as { Records: unknown[] }).Records.length);
        const result = await next(args);
        const output = result.output as PutRecordsOutput;
        if (!failedOnce && output.Records?.[0]) {
          failedOnce = true;
          output.Records[0] = { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded' };
          output.FailedRecordCount = 1;
        }
        return result;
      },
      { step: 'initialize', name: 'throttleFirstEntry' },
    );
    const input = snapshots(3000);
    const result = await publishSnapshots(client, kinesis.streamName, input, {
      encoder: new RecordEncoder({ targetBytes: 16 * 1024 }),
      backoffBaseMs: 1,
    });
    assert.ok(result.records > 3, `only ${result.records} records`);
    assert.equal(result.retriedEntries, 1);
    assert.equal(sent.at(-1), 1, 'the retry resent more than the failed entry');
    const stored = await readAll(client, kinesis.streamName);
    const byId = new Map(stored.map((s) => [s.event_id, s]));
    assert.equal(byId.size, input.length);
    for (const snapshot of input) assert.deepEqual(byId.get(snapshot.event_id), snapshot);
    client.destroy();
  });
});
