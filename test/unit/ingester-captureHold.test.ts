import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatEvent } from '../../core/events/chatEvent.ts';
import { copyIdsOf } from '../../core/events/copyIds.ts';
import { normalizeLine } from '../../core/irc/normalizeLine.ts';
import { createLineCapture, type LineCapture } from '../../services/ingester/captureLine.ts';
import type { HeldSlot } from '../../services/ingester/heldJournal.ts';
import { waitFor } from '../helpers/ingesterFixture.ts';

// The live capture holds an id-less line without tmi-sent-ts until its channel's next timestamped
// line (the id every replica agrees on), at most maxHoldMs, and hands everything on at drain().

const msg = (channel: string, ts: number) => `@id=m${ts};room-id=1;tmi-sent-ts=${ts} :u!u@u.tmi.twitch.tv PRIVMSG #${channel} :hi ${ts}`;
const slow = (channel: string, seconds: number) => `@room-id=1;slow=${seconds} :tmi.twitch.tv ROOMSTATE #${channel}`;

/** A capture fed as a connection feeds it: each line's bytes are a view of one reused frame buffer. */
function liveCapture(maxHoldMs: number) {
  const got: { event: ChatEvent; bytes: string }[] = [];
  const capture = createLineCapture({
    maxHoldMs,
    onEvent: (event, lineUtf8) => got.push({ event, bytes: Buffer.from(lineUtf8!).toString('utf8') }),
  });
  const frame = Buffer.alloc(4096);
  const feed = (line: string) => {
    const length = frame.write(line, 0, 'utf8');
    capture(line, Date.now(), 0, frame.subarray(0, length));
    frame.fill(0x7a); // the socket reuses its frame for the next line
  };
  return { capture, got, feed };
}

/** The id the line gets when anchored on the next timestamped line `next` (a reader of just the two). */
function nextAnchoredId(line: string, next: string): string {
  const got: ChatEvent[] = [];
  const capture = createLineCapture({ onEvent: (event) => got.push(event) });
  capture(line, 1, 0);
  capture(next, 2, 0);
  capture.drain();
  return got[0]!.event_id;
}

describe('live capture of id-less lines', () => {
  it("hands a held line on, with its own bytes, just before its channel's next timestamped line", () => {
    // Prepare
    const live = liveCapture(60_000);
    // Act
    live.feed(msg('c', 1_700_000_000_001));
    live.feed(slow('c', 10));
    live.feed(msg('d', 1_700_000_000_002));
    const heldWhileWaiting = live.capture.heldCount();
    live.feed(msg('c', 1_700_000_000_003));
    // Assess
    assert.equal(heldWhileWaiting, 1);
    assert.equal(live.capture.heldCount(), 0);
    assert.deepStrictEqual(
      live.got.map((g) => g.event.raw),
      [msg('c', 1_700_000_000_001), msg('d', 1_700_000_000_002), slow('c', 10), msg('c', 1_700_000_000_003)],
    );
    assert.ok(
      live.got.every((g) => g.bytes === g.event.raw),
      'a held event keeps a copy of its bytes',
    );
    assert.equal(live.got[2]!.event.event_id, nextAnchoredId(slow('c', 10), msg('c', 1_700_000_000_003)));
    assert.equal(live.capture.totals.events, 4);
    live.capture.drain();
  });

  it('hands a held line on by its timer once it is older than maxHoldMs, with the fallback id', async () => {
    // Prepare
    const live = liveCapture(150);
    live.feed(msg('c', 1_700_000_000_001));
    // Act
    const heldAt = Date.now();
    live.feed(slow('c', 10));
    await waitFor(() => live.got.length === 2, 'the timer to hand the held line on', 3000);
    // Assess
    assert.ok(Date.now() - heldAt >= 150, 'not before the bound');
    assert.equal(live.got[1]!.bytes, slow('c', 10));
    const bare = normalizeLine(slow('c', 10), 1);
    assert.ok(bare.type === 'event');
    assert.notEqual(live.got[1]!.event.event_id, nextAnchoredId(slow('c', 10), msg('c', 1_700_000_000_002)));
    assert.notEqual(
      live.got[1]!.event.event_id,
      bare.event.event_id,
      'the fallback of the live capture is its window, not a previous line',
    );
    live.feed(msg('c', 1_700_000_000_002));
    assert.equal(live.got.length, 3, 'emitted once');
    live.capture.drain();
  });

  it('with a bound margin, keeps a line past maxHoldMs for its next timestamped line, and then gives it the window id naming the {next} one', async () => {
    // Prepare
    const got: ChatEvent[] = [];
    const capture = createLineCapture({ maxHoldMs: 100, boundMarginMs: 400, onEvent: (event) => got.push(event) });
    capture(msg('c', 1_700_000_000_001), Date.now(), 0);
    capture(slow('c', 10), Date.now(), 0);
    // Act: the next message comes after the bound, within the margin.
    await new Promise((resolve) => setTimeout(resolve, 250));
    const heldThen = got.length;
    capture(msg('c', 1_700_000_000_002), Date.now(), 0);
    capture.drain();
    // Assess
    assert.equal(heldThen, 1, 'still held past maxHoldMs');
    const held = got[1]!;
    assert.equal(held.kind, 'roomstate');
    assert.deepEqual(copyIdsOf(held), [nextAnchoredId(slow('c', 10), msg('c', 1_700_000_000_002))]);
    assert.notEqual(held.event_id, copyIdsOf(held)[0]);
  });

  it('two replicas, one of which never saw the channel before, give a line released by its timer the same id', async () => {
    // Prepare: replica A read a message of the quiet channel; B joined after it. Twitch hands the
    // change to both within a few ms, inside one window of maxHoldMs (from the epoch).
    const maxHoldMs = 200;
    const replicas = [0, 1].map(() => {
      const got: ChatEvent[] = [];
      return { got, capture: createLineCapture({ maxHoldMs, onEvent: (event) => got.push(event) }) };
    });
    const windowStart = Math.floor(Date.now() / maxHoldMs) * maxHoldMs;
    replicas[0]!.capture(msg('c', windowStart - 5_000), windowStart - 5_000, 0);
    // Act
    replicas[0]!.capture(slow('c', 10), windowStart + 40, 0);
    replicas[1]!.capture(slow('c', 10), windowStart + 47, 0);
    await waitFor(() => replicas.every((r) => r.capture.heldCount() === 0), 'both timers to hand the line on', 3000);
    // Assess
    const [a, b] = replicas.map((r) => r.got.find((event) => event.kind === 'roomstate')!.event_id);
    assert.equal(a, b);
    for (const r of replicas) r.capture.drain();
  });

  it('drain() hands every held line on at once, and a line captured after it is not held', () => {
    // Prepare
    const live = liveCapture(60_000);
    for (const channel of ['a', 'b', 'c']) live.feed(slow(channel, 5));
    assert.equal(live.got.length, 0);
    // Act
    live.capture.drain();
    const afterDrain = live.got.length;
    live.feed(slow('e', 5));
    // Assess
    assert.equal(afterDrain, 3);
    assert.equal(live.got.length, 4);
    assert.deepStrictEqual(
      live.got.map((g) => g.bytes),
      ['a', 'b', 'c', 'e'].map((channel) => slow(channel, 5)),
    );
  });
});

describe('how long the ingester holds an id-less line', () => {
  it('waits no longer than the spill window with one replica, and 120 s when a sibling holds the same line', async () => {
    const { idHoldMs } = await import('../../services/ingester/runIngester.ts');
    assert.equal(idHoldMs({ captureReplicas: 1, spillAfterMs: 1000 }), 1000);
    assert.equal(idHoldMs({ captureReplicas: 2, spillAfterMs: 1000 }), 120_000);
  });
});

describe('held lines while the stream fails', () => {
  it('hands every held line on at the next tick when releaseHeldNow says the stream fails', async () => {
    // Prepare: a long hold, and a stream that fails from the start
    const got: ChatEvent[] = [];
    const capture = createLineCapture({ maxHoldMs: 60_000, releaseHeldNow: () => true, onEvent: (event) => got.push(event) });
    try {
      // Act
      capture(slow('quiet', 10), Date.now(), 0);

      // Assess: not held for the minute: the journal must get it within a tick
      await waitFor(() => got.length === 1, 'the held line handed on while the stream fails', 2000);
      assert.equal(got[0]!.kind, 'roomstate');
    } finally {
      capture.drain();
    }
  });
});

describe('the slot a held line is journaled under (SLOTS_PER_TASK)', () => {
  it("records the slot of the session whose connection read the line, not another slot's", () => {
    // Prepare: one capture shared by two slots' pools, the hold journal asking it for the reading slot
    const holds: { raw: string; slot: HeldSlot | null }[] = [];
    const capture: LineCapture = createLineCapture({
      maxHoldMs: 60_000,
      onEvent: () => undefined,
      holdJournal: { hold: (event) => holds.push({ raw: event.raw, slot: capture.readingSlot }) - 1, released: () => undefined },
    });
    const shard0 = capture.forSlot({ shardId: 0, replica: 1 });
    const shard3 = capture.forSlot({ shardId: 3, replica: 0 });
    // Act: interleaved reads of both slots, then one outside any slot
    shard0(msg('a', 1_700_000_000_001), Date.now(), 0);
    shard3(msg('b', 1_700_000_000_002), Date.now(), 0);
    shard3(slow('b', 5), Date.now(), 0);
    shard0(slow('a', 10), Date.now(), 1);
    capture(slow('z', 1), Date.now(), 0);
    capture.drain();
    // Assess
    assert.deepEqual(holds, [
      { raw: slow('b', 5), slot: { shardId: 3, replica: 0 } },
      { raw: slow('a', 10), slot: { shardId: 0, replica: 1 } },
      { raw: slow('z', 1), slot: null },
    ]);
    assert.equal(capture.readingSlot, null);
  });
});
