import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { awsClientConfig } from '../../core/aws/clientConfig.ts';
import type { ChatEvent } from '../../core/events/chatEvent.ts';
import { DiskJournal } from '../../core/kinesis/diskJournal.ts';
import { KinesisProducer } from '../../core/kinesis/kinesisProducer.ts';
import { createLogger } from '../../core/log.ts';
import { createMetrics } from '../../core/metrics.ts';
import { EMULATOR_REGION, startKinesis, type KinesisEmulator } from '../helpers/emulators.ts';
import { waitFor } from '../helpers/ingesterFixture.ts';
import { injectKinesisFaults } from '../helpers/kinesisFaults.ts';
import { readJournalEvents } from '../helpers/readJournalEvents.ts';
import { readKinesisEvents } from '../helpers/readKinesisEvents.ts';

const template: ChatEvent = JSON.parse(
  readFileSync(new URL('../fixtures/irc/irc-real.expected.ndjson', import.meta.url), 'utf8')
    .split('\n')
    .find((l) => l.startsWith('{') && l.includes('"kind":"message"'))!,
);
const makeEvent = (i: number): ChatEvent => ({
  ...structuredClone(template),
  event_id: `wal-${i}`,
  text: `${i} ${Math.random().toString(36).repeat(4)}`,
});
const ids = (n: number) => Array.from({ length: n }, (_, i) => `wal-${i}`);
const SPILL_AFTER_MS = 200;

let kinesis: KinesisEmulator;
let streams = 0;
const cleanups: (() => void)[] = [];

before(async () => {
  kinesis = await startKinesis({ streamName: 'unused' });
});
after(async () => {
  for (const cleanup of cleanups.reverse()) cleanup();
  await kinesis.close();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'producer-wal-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function freshStream() {
  const client = new KinesisClient({ ...awsClientConfig({ region: EMULATOR_REGION, endpoint: kinesis.endpoint }), maxAttempts: 1 });
  cleanups.push(() => client.destroy());
  const streamName = `wal-${++streams}`;
  await client.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: 1 }));
  while (
    (await client.send(new DescribeStreamSummaryCommand({ StreamName: streamName }))).StreamDescriptionSummary?.StreamStatus !== 'ACTIVE'
  )
    await sleep(10);
  return { client, streamName, faults: injectKinesisFaults(client) };
}

const counts = (events: readonly { event_id: string }[]) => {
  const out = new Map<string, number>();
  for (const e of events) out.set(e.event_id, (out.get(e.event_id) ?? 0) + 1);
  return out;
};

describe('KinesisProducer write-ahead journal', () => {
  let leftover: string;

  it('has on disk, within one tick, every event of a stream that fails (nothing waits for a clean shutdown)', async () => {
    // Prepare: Kinesis down, memory far from its bound (the old producer journaled only above it)
    const { client, streamName, faults } = await freshStream();
    faults.outage = true;
    leftover = tempDir();
    const producer = new KinesisProducer({
      client,
      streamName,
      flushMs: 20,
      spillAfterMs: SPILL_AFTER_MS,
      journal: new DiskJournal({ dir: leftover, maxBytes: 1 << 30 }),
      maxBackoffMs: 100,
    });
    // Act
    for (let i = 0; i < 2000; i++) producer.add(makeEvent(i));
    await waitFor(() => faults.calls > 0, 'a first PutRecords call');
    await sleep(SPILL_AFTER_MS);
    // Assess: what a kill -9 now would leave on disk
    const onDisk = counts(readJournalEvents(leftover));
    assert.deepEqual(
      ids(2000)
        .filter((id) => !onDisk.has(id))
        .slice(0, 5),
      [],
      'events not on disk',
    );
    assert.equal(producer.stats().eventsDropped, 0);
    // The journal is left as a killed process would leave it (closing with the stream still down
    // moves nothing more: memory is already empty)
    const stats = await producer.close(Date.now());
    assert.equal(stats.eventsJournaled, 2000);
  });

  it('drains a leftover journal to Kinesis when it starts, with no new traffic', async () => {
    // Prepare: the journal left by the previous test, a healthy stream
    const { client, streamName } = await freshStream();
    // Act
    const producer = new KinesisProducer({
      client,
      streamName,
      spillAfterMs: SPILL_AFTER_MS,
      journal: new DiskJournal({ dir: leftover, maxBytes: 1 << 30 }),
    });
    await Promise.race([producer.whenIdle(), sleep(15_000).then(() => assert.fail('the leftover journal was never drained'))]);
    await producer.close(Date.now());
    // Assess
    const sent = counts((await readKinesisEvents(client, streamName)).events);
    assert.deepEqual(
      ids(2000)
        .filter((id) => !sent.has(id))
        .slice(0, 5),
      [],
    );
    assert.equal(readJournalEvents(leftover).length, 0, 'acknowledged records are still in the journal');
  });

  it('moves a call that hangs past the spill window to the journal and sends each event at most twice', async () => {
    // Prepare: a blackholed PutRecords (it hangs, then goes through)
    const { client, streamName, faults } = await freshStream();
    const dir = tempDir();
    const producer = new KinesisProducer({
      client,
      streamName,
      flushMs: 20,
      spillAfterMs: SPILL_AFTER_MS,
      journal: new DiskJournal({ dir, maxBytes: 1 << 30 }),
    });
    faults.stall = true;
    // Act
    for (let i = 0; i < 1000; i++) producer.add(makeEvent(i));
    await sleep(SPILL_AFTER_MS * 3);
    const onDisk = counts(readJournalEvents(dir));
    faults.stall = false;
    await Promise.race([producer.whenIdle(), sleep(15_000).then(() => assert.fail('never idle'))]);
    const callsWhenIdle = faults.calls;
    await sleep(500);
    // Assess: durable while hanging, each event in the stream once or twice, then quiet
    assert.deepEqual(
      ids(1000)
        .filter((id) => !onDisk.has(id))
        .slice(0, 5),
      [],
      'hanging events not journaled',
    );
    const sent = counts((await readKinesisEvents(client, streamName)).events);
    assert.deepEqual(
      ids(1000)
        .filter((id) => !sent.has(id))
        .slice(0, 5),
      [],
    );
    const most = Math.max(...sent.values());
    assert.ok(most <= 2, `an event was sent ${most} times`);
    const stats = await producer.close(Date.now());
    assert.ok(stats.eventsDuplicated > 0 && stats.eventsDuplicated <= 1000, `duplicated ${stats.eventsDuplicated}`);
    assert.equal(faults.calls, callsWhenIdle, 'kept sending after everything was acknowledged');
    assert.equal(readJournalEvents(dir).length, 0);
  });

  for (const disk of ['full (ENOSPC)', 'unusable (ENOTDIR)'] as const) {
    it(`never throws on a ${disk} journal disk: holds records in memory, logs and counts why, delivers them later`, async (t) => {
      // Prepare
      const { client, streamName, faults } = await freshStream();
      let dir: string;
      if (disk === 'full (ENOSPC)') {
        const mountPoint = tempDir();
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mountPoint]);
        t.after(() => execFileSync('umount', [mountPoint]));
        writeFileSync(join(mountPoint, 'filler'), Buffer.alloc(1024 * 1024 - 4096));
        dir = join(mountPoint, 'journal');
        mkdirSync(dir);
      } else {
        const file = join(tempDir(), 'a-file');
        writeFileSync(file, '');
        dir = join(file, 'journal');
      }
      const logs: Record<string, unknown>[] = [];
      const logger = createLogger('info', {}, (line) => logs.push(JSON.parse(line) as Record<string, unknown>));
      const metrics = createMetrics(undefined, { defaultMetrics: false });
      faults.outage = true;
      const producer = new KinesisProducer({
        client,
        streamName,
        flushMs: 20,
        spillAfterMs: SPILL_AFTER_MS,
        journal: new DiskJournal({ dir, maxBytes: 1 << 30 }),
        metrics,
        logger,
        maxBackoffMs: 100,
      });
      // Act: 1.5 MB of events while Kinesis is down
      for (let i = 0; i < 5000; i++) producer.add(makeEvent(i));
      await sleep(SPILL_AFTER_MS * 3);
      // Assess: counted and logged with the reason
      const errors = (await metrics.journalWriteErrors.get()).values;
      const reason = disk === 'full (ENOSPC)' ? 'ENOSPC' : 'ENOTDIR';
      assert.ok(
        errors.some((v) => v.labels.reason === reason && v.value > 0),
        `journal errors: ${JSON.stringify(errors)}`,
      );
      assert.ok(
        logs.some((l) => l.msg === 'journal write refused; keeping records in memory and retrying' && l.reason === reason),
        'no log line with the reason',
      );
      assert.equal(producer.stats().eventsDropped, 0);
      // Act: the stream comes back
      faults.outage = false;
      await Promise.race([producer.whenIdle(), sleep(15_000).then(() => assert.fail('never idle'))]);
      const stats = await producer.close(Date.now());
      // Assess: everything delivered
      const sent = counts((await readKinesisEvents(client, streamName)).events);
      assert.deepEqual(
        ids(5000)
          .filter((id) => !sent.has(id))
          .slice(0, 5),
        [],
      );
      assert.equal(stats.eventsDropped, 0);
    });
  }
});
