import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { awsClientConfig } from '../../core/aws/clientConfig.ts';
import type { ChatEvent } from '../../core/events/chatEvent.ts';
import { DiskJournal } from '../../core/kinesis/diskJournal.ts';
import { KinesisProducer } from '../../core/kinesis/kinesisProducer.ts';
import { createMetrics } from '../../core/metrics.ts';
import { EMULATOR_REGION, startKinesis, type KinesisEmulator } from '../helpers/emulators.ts';
import { injectKinesisFaults } from '../helpers/kinesisFaults.ts';
import { readKinesisEvents } from '../helpers/readKinesisEvents.ts';

const template: ChatEvent = JSON.parse(
  readFileSync(new URL('../fixtures/irc/irc-real.expected.ndjson', import.meta.url), 'utf8')
    .split('\n')
    .find((l) => l.startsWith('{') && l.includes('"kind":"message"'))!,
);
/** A chat event with a unique id and some incompressible text, so records fill up. */
const makeEvent = (i: number): ChatEvent => ({
  ...structuredClone(template),
  event_id: `test-${i}`,
  text: `${i} ${Math.random().toString(36).repeat(4)}`,
});

let kinesis: KinesisEmulator;
let streamCounter = 0;
const dirs: string[] = [];
const clients: KinesisClient[] = [];

before(async () => {
  kinesis = await startKinesis({ streamName: 'unused' });
});
after(async () => {
  for (const c of clients) c.destroy();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  await kinesis.close();
});

async function freshStream(shardCount = 1) {
  const client = new KinesisClient({ ...awsClientConfig({ region: EMULATOR_REGION, endpoint: kinesis.endpoint }), maxAttempts: 1 });
  clients.push(client);
  const streamName = `producer-${++streamCounter}`;
  await client.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: shardCount }));
  while (
    (await client.send(new DescribeStreamSummaryCommand({ StreamName: streamName }))).StreamDescriptionSummary?.StreamStatus !== 'ACTIVE'
  )
    await sleep(10);
  const dir = mkdtempSync(join(tmpdir(), 'producer-journal-'));
  dirs.push(dir);
  return { client, streamName, dir };
}

async function assertAllDelivered(client: KinesisClient, streamName: string, count: number) {
  const contents = await readKinesisEvents(client, streamName);
  const ids = new Set(contents.events.map((e) => e.event_id));
  const missing = Array.from({ length: count }, (_, i) => `test-${i}`).filter((id) => !ids.has(id));
  assert.deepEqual(missing.slice(0, 5), [], `${missing.length} of ${count} events missing`);
  assert.equal(contents.rejects, 0);
  return contents;
}

describe('KinesisProducer', () => {
  it('retries only the failed entries of a partial PutRecords', async () => {
    // Prepare: 30% of the entries of every call fail (and are not written)
    const { client, streamName } = await freshStream(2);
    const faults = injectKinesisFaults(client);
    faults.failRatio = 0.3;
    const metrics = createMetrics(undefined, { defaultMetrics: false });
    const producer = new KinesisProducer({ client, streamName, flushMs: 20, encoder: { targetBytes: 4096 }, metrics });
    // Act
    for (let i = 0; i < 3000; i++) producer.add(makeEvent(i));
    producer.seal();
    await producer.whenIdle();
    // Assess: all there, and exactly once, because succeeded entries were never re-sent
    const contents = await assertAllDelivered(client, streamName, 3000);
    assert.equal(contents.events.length, 3000, 'an entry that had succeeded was sent again');
    assert.ok(faults.failedEntries > 0);
    assert.equal((await metrics.kinesisRetries.get()).values[0]?.value, faults.failedEntries);
    await producer.close(Date.now());
  });

  it('keeps each PutRecords call within 500 entries and 5 MiB', async () => {
    const { client, streamName } = await freshStream();
    const faults = injectKinesisFaults(client);
    const producer = new KinesisProducer({ client, streamName, flushMs: 10_000, encoder: { targetBytes: 1024, maxBytes: 1024 } });
    // ~18 of these events fit a 1 KiB record: 12,000 make some 700 records, more than one call can take.
    for (let i = 0; i < 12_000; i++) producer.add(makeEvent(i));
    producer.seal();
    await producer.whenIdle();
    await assertAllDelivered(client, streamName, 12_000);
    assert.ok(Math.max(...faults.entriesPerCall) <= 500);
    assert.ok(
      faults.entriesPerCall.some((n) => n === 500),
      'expected full calls',
    );
    assert.ok(faults.maxCallBytes <= 5 * 1024 * 1024);
    await producer.close(Date.now());
  });

  it('slows down when throttled instead of failing', async () => {
    const { client, streamName } = await freshStream();
    const faults = injectKinesisFaults(client);
    faults.throttleCalls = 4;
    const metrics = createMetrics(undefined, { defaultMetrics: false });
    const producer = new KinesisProducer({ client, streamName, flushMs: 10_000, encoder: { targetBytes: 1024, maxBytes: 1024 }, metrics });
    for (let i = 0; i < 3000; i++) producer.add(makeEvent(i));
    producer.seal();
    await producer.whenIdle();
    await assertAllDelivered(client, streamName, 3000);
    // Four throttled calls halve the entries per call from 500 to 31; success grows it again (AIMD).
    const calls = faults.entriesPerCall;
    assert.ok(calls[4]! <= 31, `calls: ${calls.slice(0, 8).join(',')}`);
    assert.ok(
      calls.slice(5).some((n) => n > calls[4]!),
      `calls: ${calls.join(',')}`,
    );
    assert.equal((await metrics.kinesisThrottles.get()).values[0]?.value, faults.failedEntries);
    await producer.close(Date.now());
  });

  it('spills to the journal during an outage, stays under its memory bound and drains the journal first', async () => {
    // Prepare
    const { client, streamName, dir } = await freshStream();
    const faults = injectKinesisFaults(client);
    faults.outage = true;
    const bound = 256 * 1024;
    const journal = new DiskJournal({ dir, maxBytes: 512 * 1024 * 1024 });
    const producer = new KinesisProducer({
      client,
      streamName,
      flushMs: 20,
      maxBufferBytes: bound,
      journal,
      encoder: { targetBytes: 8 * 1024 },
      maxBackoffMs: 200,
    });
    // Act: ~4 MB of events while Kinesis is down
    for (let i = 0; i < 12_000; i++) {
      producer.add(makeEvent(i));
      if (i % 1000 === 999) await sleep(5);
    }
    producer.seal();
    await sleep(100);
    // Assess (during the outage)
    assert.ok(journal.records > 0, 'nothing was spilled');
    assert.ok(producer.stats().peakBufferBytes <= bound, `peak ${producer.stats().peakBufferBytes} > ${bound}`);
    // Act: recover
    faults.outage = false;
    await producer.whenIdle();
    // Assess: nothing lost, nothing dropped, and the oldest (journaled) events went out first
    const contents = await assertAllDelivered(client, streamName, 12_000);
    assert.equal(contents.events[0]!.event_id, 'test-0');
    const stats = await producer.close(Date.now());
    assert.equal(stats.eventsDropped, 0);
    assert.ok(stats.peakBufferBytes <= bound);
  });

  it('journals what it cannot send by the shutdown deadline and counts every dropped event', async () => {
    const { client, streamName, dir } = await freshStream();
    const faults = injectKinesisFaults(client);
    faults.outage = true;
    const metrics = createMetrics(undefined, { defaultMetrics: false });
    const journal = new DiskJournal({ dir, maxBytes: 40 * 1024 });
    const producer = new KinesisProducer({ client, streamName, flushMs: 20, journal, metrics, encoder: { targetBytes: 4096 } });
    for (let i = 0; i < 2000; i++) producer.add(makeEvent(i));
    // Act
    const stats = await producer.close(Date.now() + 200);
    // Assess
    assert.equal(stats.eventsSent, 0);
    assert.ok(stats.eventsJournaled > 0);
    assert.ok(stats.eventsDropped > 0);
    assert.equal(stats.eventsJournaled + stats.eventsDropped, 2000);
    assert.equal(
      (await metrics.droppedEvents.get()).values.reduce((n, v) => n + v.value, 0),
      stats.eventsDropped,
    );
    // The journal holds exactly the journaled events, for the next run to send.
    const reopened = new DiskJournal({ dir, maxBytes: 40 * 1024 });
    assert.equal(reopened.events, stats.eventsJournaled);
    reopened.close();
  });
});
