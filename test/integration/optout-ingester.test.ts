import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { awsClientConfig } from '../../core/aws/clientConfig.ts';
import { writeCompactChatEvent } from '../../core/events/compactChatEvent.ts';
import type { ChatEvent } from '../../core/events/chatEvent.ts';
import { normalizeLine } from '../../core/irc/normalizeLine.ts';
import { DiskJournal } from '../../core/kinesis/diskJournal.ts';
import { KinesisProducer } from '../../core/kinesis/kinesisProducer.ts';
import { optOutRewriter } from '../../core/optout/optOutRewriter.ts';
import { NO_OPT_OUTS, setEntry } from '../../core/optout/optOuts.ts';
import { DeadLetterJournal } from '../../services/ingester/deadLetterJournal.ts';
import { HeldJournal } from '../../services/ingester/heldJournal.ts';
import { ingesterMatcher, IngesterOptOuts } from '../../services/ingester/ingesterOptOuts.ts';
import { EMULATOR_REGION, startKinesis, type KinesisEmulator } from '../helpers/emulators.ts';
import { tempDir, waitFor } from '../helpers/ingesterFixture.ts';
import { injectKinesisFaults } from '../helpers/kinesisFaults.ts';
import { assertSameIds, chat, journalFiles, LEAVER, leaverOptedOut, privmsg, touchesLeaver } from '../helpers/optOutJournalFixture.ts';
import { readKinesisEvents } from '../helpers/readKinesisEvents.ts';

let kinesis: KinesisEmulator;
before(async () => {
  kinesis = await startKinesis({ streamName: 'optout-ingester' });
});
after(async () => {
  await kinesis.close();
});

describe('an ingester and the opt-out list', () => {
  it('purges records in memory and in the spill journal while the stream is down; what reaches Kinesis afterwards is everyone else, all of it', async () => {
    // Prepare: Kinesis down; 1200 events captured, most spilled to the journal, the rest in memory
    const client = new KinesisClient({ ...awsClientConfig({ region: EMULATOR_REGION, endpoint: kinesis.endpoint }), maxAttempts: 1 });
    const streamName = 'optout-ingester';
    await client.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: 1 })).catch(() => undefined);
    while (
      (await client.send(new DescribeStreamSummaryCommand({ StreamName: streamName }))).StreamDescriptionSummary?.StreamStatus !== 'ACTIVE'
    )
      await sleep(10);
    const faults = injectKinesisFaults(client);
    faults.outage = true;
    const dir = tempDir('optout-producer-');
    const producer = new KinesisProducer({
      client,
      streamName,
      flushMs: 20,
      spillAfterMs: 200,
      maxBackoffMs: 300,
      journal: new DiskJournal({ dir: dir.path, maxBytes: 1 << 30, segmentBytes: 16 * 1024 }),
    });
    const events = chat(1200);
    try {
      for (const e of events.slice(0, 1000)) producer.addUtf8(writeCompactChatEvent(e, Buffer.from(e.raw)));
      await waitFor(() => producer.stats().eventsJournaled >= 1000, 'the first 1000 events journaled');
      for (const e of events.slice(1000)) producer.addUtf8(writeCompactChatEvent(e, Buffer.from(e.raw)));
      assert.ok(journalFiles(dir.path).texts.some((t) => t.includes(LEAVER.id)));
      // Act: the list names the leaver (the source filter would drop their new events: none are added after this)
      const removed = await producer.rewriteRecords(optOutRewriter(ingesterMatcher(leaverOptedOut())));
      // Assess: the journal files hold nothing of them; then the stream comes back and gets everyone else
      assert.deepEqual(
        journalFiles(dir.path).texts.filter((t) => t.includes(LEAVER.id)),
        [],
      );
      assert.equal(removed.memoryEvents + removed.journalEvents, events.filter(touchesLeaver).length);
      faults.outage = false;
      await Promise.race([producer.whenIdle(), sleep(20_000).then(() => assert.fail('never drained'))]);
      const sent = (await readKinesisEvents(client, streamName)).events as ChatEvent[];
      assert.equal(sent.filter(touchesLeaver).length, 0, 'nothing of the leaver reached Kinesis');
      // Sent more than once is allowed (a record journaled while its put was in flight; the sinks dedupe).
      assertSameIds(
        [...new Map(sent.map((e) => [e.event_id, e])).values()],
        events.filter((e) => !touchesLeaver(e)),
      );
    } finally {
      await producer.close(Date.now());
      client.destroy();
      dir.remove();
    }
  });

  it('purges the hold journal and the IRC dead letter of an opted-out channel, keeping the rest', () => {
    const dir = tempDir('optout-held-');
    try {
      // Prepare: notices held for two channels, rejected lines of the leaver and of someone else
      const notice = (channel: string, n: number) => {
        const result = normalizeLine(`@msg-id=slow_on :tmi.twitch.tv NOTICE #${channel} :slow mode ${n}`, 1_700_000_000_000 + n);
        assert.equal(result.type, 'event');
        return result.event;
      };
      const held = new HeldJournal({ dir: dir.path, slot: () => null, keepReleasedMs: 60_000 });
      for (let n = 0; n < 6; n++) held.hold(notice(n % 2 === 0 ? 'somechan' : 'otherchan', n), null, true);
      held.released(0, 'h:released-somechan');
      const rejects = new DeadLetterJournal(join(dir.path, 'dead-letter'));
      const bad = (line: string) => line.replace(/tmi-sent-ts=\d+/, 'tmi-sent-ts=yesterday');
      for (let n = 0; n < 4; n++)
        rejects.write({
          receivedAt: n,
          reason: 'bad tmi-sent-ts',
          raw: bad(privmsg(n, n % 2 ? LEAVER : { id: '7299999999', login: 'stays' }, { id: '7300000002', login: 'otherchan' })),
          connection: 0,
        });
      const optedOut = ingesterMatcher(setEntry(leaverOptedOut(), 'channels', '7300000009', { login: 'somechan', at: 0, by: 'admin' }));
      // Act
      const heldRemoved = held.purge(({ raw, receivedAt }) => {
        const result = normalizeLine(raw, receivedAt);
        return result.type === 'event' && optedOut.event(result.event);
      });
      const rejectsRemoved = rejects.purge((raw) => optedOut.line(raw));
      rejects.leaveOut = (raw) => optedOut.line(raw);
      rejects.write({ receivedAt: 9, reason: 'bad tmi-sent-ts', raw: bad(privmsg(9, LEAVER)), connection: 0 });
      // Assess: the files, and what the next process would read back
      assert.equal(heldRemoved, 3);
      const heldText = readFileSync(join(dir.path, 'held.ndjson'), 'utf8');
      assert.ok(!heldText.includes('somechan'), heldText);
      const next = new HeldJournal({ dir: dir.path, slot: () => null, keepReleasedMs: 60_000 });
      assert.deepEqual(
        next.leftOver.map((r) => r.raw.split(' :slow mode ')[1]),
        ['1', '3', '5'],
      );
      assert.equal(rejectsRemoved, 2);
      const rejectText = readFileSync(rejects.path, 'utf8');
      assert.ok(!rejectText.includes(LEAVER.id));
      assert.equal(rejectText.split('\n').filter((l) => l.includes('7299999999')).length, 2);
      next.close({ delivered: true });
      held.close({ delivered: true });
    } finally {
      dir.remove();
    }
  });

  it('drops the events of whom the list names before the producer, and purges once per change of the list', async () => {
    // Prepare
    let list = NO_OPT_OUTS;
    const purged: string[] = [];
    const dropped: number[] = [];
    const optOuts = new IngesterOptOuts({
      store: { load: async () => list },
      pollMs: 60_000,
      purge: async (who) => void purged.push(String(who.event(chat(1)[0]!))),
      onDropped: (n) => dropped.push(n),
    });
    const events = chat(100);
    // Act
    await optOuts.refresh();
    const before = events.filter((e) => optOuts.drops(e)).length;
    list = leaverOptedOut();
    await optOuts.refresh();
    await optOuts.refresh();
    const afterwards = events.filter((e) => !optOuts.drops(e));
    const optin = normalizeLine(privmsg(7, LEAVER).replace('message number 7', '!optin k3m9x2p7qa'), 7);
    assert.equal(optin.type, 'event');
    await optOuts.stop();
    // Assess
    assert.equal(before, 0);
    assertSameIds(
      afterwards,
      events.filter((e) => !touchesLeaver(e)),
    );
    assert.equal(dropped.length, events.filter(touchesLeaver).length);
    assert.deepEqual(purged, ['true'], 'one purge, for the change');
    assert.equal(optOuts.drops(optin.event), false, 'an !optin command still goes to the consumer');
  });
});
