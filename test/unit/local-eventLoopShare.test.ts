import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StorageUnavailableError } from '../../core/consumer/errors.ts';
import type { KinesisRecordInput } from '../../core/consumer/types.ts';
import type { DeadLetterWriter } from '../../core/deadletter/types.ts';
import { RecordEncoder } from '../../core/events/kinesisRecordCodec.ts';
import type { StreamEvent } from '../../core/events/streamEvent.ts';
import type { Sink } from '../../core/sinks/types.ts';
import { processInSlices } from '../../services/local/startLocalConsumer.ts';
import { createChannelCatalog } from '../../services/twitch-sim/createChannelCatalog.ts';
import { createPrng } from '../../services/twitch-sim/createPrng.ts';
import { createStreamDirectory } from '../../services/twitch-sim/createStreamDirectory.ts';
import { makeChatEvents } from '../helpers/chatEvents.ts';

const records = (count: number): KinesisRecordInput[] =>
  Array.from({ length: count }, (_, i) => ({
    sequenceNumber: String(1000 + i),
    shardId: 'shardId-000000000000',
    data: new RecordEncoder().encode(makeChatEvents(3, { seed: i + 1 }))[0]!.data,
  }));

const noDeadLetters: DeadLetterWriter = { write: async () => undefined } as unknown as DeadLetterWriter;

function fakeSink(failOnCall: number | null, error: Error = new Error('bad data')): Sink & { calls: number[] } {
  const calls: number[] = [];
  return {
    name: 'sqlite',
    calls,
    migrate: async () => undefined,
    query: async () => [],
    close: async () => undefined,
    async write(events: StreamEvent[]) {
      calls.push(events.length);
      if (calls.length === failOnCall) throw error;
      return { inserted: events.length, duplicates: 0 };
    },
  };
}

describe('local consumer: a batch in slices, the event loop served between them', () => {
  it('writes each slice on its own and lets timers and I/O run between slices', async () => {
    const sink = fakeSink(null);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    try {
      const response = await processInSlices(records(4), { sink, deadLetter: noDeadLetters }, 1);
      assert.deepEqual(response.batchItemFailures, []);
    } finally {
      clearInterval(timer);
    }
    assert.deepEqual(sink.calls, [3, 3, 3, 3]);
    assert.ok(ticks >= 1, 'a timer ran while the batch was processed');
  });

  it('stops at the first slice with failures and reports from it (the later slices are redelivered)', async () => {
    const sink = fakeSink(2);
    const batch = records(4);
    const response = await processInSlices(batch, { sink, deadLetter: noDeadLetters }, 1);
    assert.deepEqual(response.batchItemFailures, [{ itemIdentifier: batch[1]!.sequenceNumber }]);
    assert.equal(sink.calls.length, 2);
  });

  it('throws StorageUnavailableError when a slice meets a storage outage', async () => {
    const outage = Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC', $retryable: true });
    const sink = fakeSink(2, outage);
    await assert.rejects(processInSlices(records(4), { sink, deadLetter: noDeadLetters }, 2), StorageUnavailableError);
  });
});

describe('simulator stream directory', () => {
  it('reflects setLive and setViewers in the next read, sorted by viewers', () => {
    const catalog = createChannelCatalog({ seed: 3, channels: 50, channelNames: [], zipfExponent: 1, maxViewers: 10_000, now: 0 });
    const directory = createStreamDirectory({ catalog, liveChannels: 40, prng: createPrng(1) });
    const [first, second] = catalog.channels;
    const spare = catalog.channels[45]!;
    assert.equal(directory.sorted().length, 40);
    directory.setLive(first!.login, false);
    directory.setLive(spare.login, true);
    directory.setViewers(second!.login, 1_000_000);
    const order = directory.sorted();
    assert.equal(order.length, 40);
    assert.equal(order[0]!.user_login, second!.login);
    assert.ok(!order.some((s) => s.user_login === first!.login));
    assert.ok(order.some((s) => s.user_login === spare.login));
    for (let i = 1; i < order.length; i++) assert.ok(order[i - 1]!.viewer_count >= order[i]!.viewer_count);
    assert.throws(() => directory.setLive('no-such-channel', true), RangeError);
  });
});
