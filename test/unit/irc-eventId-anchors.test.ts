import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { ChatEvent } from '../../core/events/chatEvent.ts';
import { EventIdResolver } from '../../core/irc/eventIdResolver.ts';
import { normalizeLine } from '../../core/irc/normalizeLine.ts';

// Content-derived ids for lines without an `id` tag (issue 13): every reader of the same channel
// stream — two capture replicas, `poglytics import`, `poglytics parse` — gives the same ids. A line
// without tmi-sent-ts is anchored on the *next* timestamped line of its channel.

const realLines = readFileSync(new URL('../fixtures/irc/irc-real.txt', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l !== '');

const msg = (channel: string, ts: number, text: string) =>
  `@badges=;color=;display-name=U;id=00000000-0000-4000-8000-${String(ts).padStart(12, '0')};room-id=1;tmi-sent-ts=${ts};user-id=2 :u!u@u.tmi.twitch.tv PRIVMSG #${channel} :${text}`;
const slow = (channel: string, seconds: number) => `@room-id=1;slow=${seconds} :tmi.twitch.tv ROOMSTATE #${channel}`;
const joinState = (channel: string) =>
  `@emote-only=0;followers-only=-1;r9k=0;room-id=1;slow=10;subs-only=0 :tmi.twitch.tv ROOMSTATE #${channel}`;
const notice = (channel: string) => `@msg-id=slow_on :tmi.twitch.tv NOTICE #${channel} :This room is now in slow mode.`;

/** A reader (one EventIdResolver) whose emitted events are recorded with the index of their line. */
function reader(options: { maxHeld?: number; clock?: () => number } = {}) {
  const emitted: { index: number; event: ChatEvent }[] = [];
  const ids = new EventIdResolver<number>({ ...options, emit: (event, index) => emitted.push({ index, event }) });
  const read = (line: string, index: number, receivedAt = 5) => {
    const result = normalizeLine(line, receivedAt);
    if (result.type === 'event') ids.read(result.event, result.message, index);
    return result.type;
  };
  return { ids, emitted, read };
}

/** The event id of each line as one reader reads them in order to the end of input, null for non-events. */
function readAll(lines: readonly string[], receivedAt: (i: number) => number = () => 5): (string | null)[] {
  const r = reader();
  const out: (string | null)[] = lines.map((line, i) => (r.read(line, i, receivedAt(i)) === 'event' ? '?' : null));
  r.ids.releaseAll();
  for (const { index, event } of r.emitted) out[index] = event.event_id;
  assert.ok(!out.includes('?'), 'every event was emitted');
  return out;
}

// Channel c with slow mode set, lifted and set again, a notice each time; channel d interleaved.
const stream = [
  joinState('c'),
  msg('c', 1_700_000_000_001, 'hello'),
  slow('c', 10),
  notice('c'),
  msg('d', 1_700_000_000_002, 'other channel'),
  msg('c', 1_700_000_000_003, 'slow now'),
  slow('c', 0),
  msg('c', 1_700_000_000_004, 'fast again'),
  slow('c', 10),
  notice('c'),
  msg('d', 1_700_000_000_005, 'other channel again'),
  slow('c', 10),
  msg('c', 1_700_000_000_006, 'the end'),
];

describe('h: ids from content and the next timestamped line of the channel, never from arrival time', () => {
  it('a reader that starts anywhere — even right before an id-less line — agrees with one that read from the start', () => {
    const replicaA = readAll(stream, (i) => 1_000 + i);
    for (let start = 1; start < stream.length; start++) {
      const replicaB = readAll(stream.slice(start), (i) => 9_999_999 + 7 * i);
      assert.deepStrictEqual(replicaB, replicaA.slice(start), `reader B started at line ${start}`);
    }
  });

  it('a reader whose first line of the channel is an id-less change agrees with a reader that has seen the channel for a while', () => {
    // Prepare: B was just restarted; the ROOMSTATE change is the first line of c it reads.
    const first = stream.indexOf(slow('c', 10));
    // Act
    const veteran = readAll(stream);
    const restarted = readAll(stream.slice(first));
    // Assess
    assert.equal(restarted[0], veteran[first]);
    assert.equal(restarted[1], veteran[first + 1], 'the NOTICE after it too');
  });

  it('a reader that does not carry channel d agrees on channel c: anchors are per channel', () => {
    const all = readAll(stream);
    const onlyC = stream.filter((line) => !line.includes('#d'));
    assert.deepStrictEqual(
      readAll(onlyC),
      all.filter((_, i) => !stream[i]!.includes('#d')),
    );
  });

  it('two identical ROOMSTATE changes (and NOTICEs) separated by a message get different ids', () => {
    const ids = readAll(stream);
    const slow10 = stream.flatMap((line, i) => (line === slow('c', 10) ? [ids[i]] : []));
    assert.equal(slow10.length, 3);
    assert.notEqual(slow10[0], slow10[1]);
    const notices = stream.flatMap((line, i) => (line === notice('c') ? [ids[i]] : []));
    assert.notEqual(notices[0], notices[1]);
  });

  it('two id-less lines that differ only in a tag value get different ids', () => {
    const [slow10] = readAll([slow('c', 10)]);
    const [slow30] = readAll([slow('c', 30)]);
    assert.notEqual(slow10, slow30);
  });

  it('merges only identical id-less lines with no timestamped line of their channel between them', () => {
    const ids = readAll(stream);
    // The last two `slow=10` have only a line of channel d between them: the same change seen twice.
    assert.equal(ids[11], ids[8]);
  });

  it('the join-time ROOMSTATE (before any message) gets the same id on two fresh readers, whatever either read in other channels', () => {
    const joinE = [':u!u@u.tmi.twitch.tv JOIN #e', joinState('e'), msg('e', 1_700_000_000_100, 'first in e')];
    const fresh = readAll(joinE);
    const busy = readAll([...stream, ...joinE]).slice(stream.length);
    assert.deepStrictEqual(busy, fresh);
    assert.equal(fresh[0], null, 'JOIN is protocol');
  });

  it('the fallback anchor {prev} never gives the id that {next} gives for the same timestamp', () => {
    const line = slow('c', 30);
    const before = readAll([msg('c', 1_700_000_000_007, 'x'), line])[1]; // no next line: prev = …007
    const after = readAll([line, msg('c', 1_700_000_000_007, 'x')])[0]; // next = …007
    assert.notEqual(before, after);
    const bare = normalizeLine(line, 1);
    assert.ok(bare.type === 'event');
    assert.equal(
      readAll([line])[0],
      bare.event.event_id,
      'with nothing before or after it, a reader gives what a bare normalizeLine gives',
    );
    assert.notEqual(bare.event.event_id, before);
  });

  it('a held event waits for its channel, takes the fallback once older than the bound, and is emitted once', () => {
    // Prepare
    let now = 1000;
    const r = reader({ clock: () => now });
    r.read(msg('c', 1_700_000_000_001, 'hello'), 0);
    r.read(slow('c', 10), 1);
    r.read(msg('d', 1_700_000_000_002, 'other channel'), 2);
    // Act + Assess: not older than the bound yet
    r.ids.releaseOlderThan(now - 5000);
    assert.deepStrictEqual(
      r.emitted.map((e) => e.index),
      [0, 2],
    );
    assert.equal(r.ids.held, 1);
    now += 5000;
    r.ids.releaseOlderThan(now - 5000);
    assert.deepStrictEqual(
      r.emitted.map((e) => e.index),
      [0, 2, 1],
    );
    assert.equal(r.ids.held, 0);
    r.read(msg('c', 1_700_000_000_003, 'late'), 3);
    assert.deepStrictEqual(
      r.emitted.map((e) => e.index),
      [0, 2, 1, 3],
    );
    // The fallback is the previous line's anchor: what a reader gets at the end of input.
    assert.equal(r.emitted[2]!.event.event_id, readAll([msg('c', 1_700_000_000_001, 'hello'), slow('c', 10)])[1]);
  });

  it('holds at most maxHeld events: past it the oldest takes the fallback', () => {
    const r = reader({ maxHeld: 2 });
    for (let i = 0; i < 4; i++) r.read(slow(`ch${i}`, i), i);
    assert.deepStrictEqual(
      r.emitted.map((e) => e.index),
      [0, 1],
    );
    assert.equal(r.ids.held, 2);
  });

  it('emits each channel in reading order: held events go just before the line that resolved them, an id-carrying line waits behind them', () => {
    // Prepare: an id-carrying line without tmi-sent-ts (rare) and a global NOTICE between.
    const withId = '@id=abc-1;msg-id=x :tmi.twitch.tv NOTICE #c :has an id';
    const global = ':tmi.twitch.tv NOTICE * :Login authentication failed';
    const lines = [
      slow('c', 1),
      msg('d', 1_700_000_000_001, 'd'),
      withId,
      global,
      notice('c'),
      msg('c', 1_700_000_000_002, 'next'),
      slow('c', 2),
    ];
    const r = reader();
    // Act
    lines.forEach((line, i) => r.read(line, i));
    // Assess
    assert.deepStrictEqual(
      r.emitted.map((e) => e.index),
      [1, 3, 0, 2, 4, 5],
      'the global NOTICE is not held; c keeps its order',
    );
    assert.equal(r.emitted[3]!.event.event_id, 'abc-1');
    r.ids.releaseAll();
    assert.deepStrictEqual(
      r.emitted.map((e) => e.index),
      [1, 3, 0, 2, 4, 5, 6],
    );
  });

  it('rejected and protocol lines do not move an anchor', () => {
    const noise = [
      ':u!u@u PRIVMSG #c :x\r\u0000',
      '@tmi-sent-ts=1700000000099 :tmi.twitch.tv USERSTATE #c',
      '@tmi-sent-ts=1700000000098 :Bad!x@x PRIVMSG #c :hi',
    ];
    const plain = readAll(stream);
    const noisy = readAll([...stream.slice(0, 6), ...noise, ...stream.slice(6)]);
    assert.deepStrictEqual(
      noisy.filter((id) => id !== null),
      plain.filter((id) => id !== null),
    );
  });

  it('the real corpus read by two readers with different clocks gives the same ids', () => {
    assert.deepStrictEqual(
      readAll(realLines, () => 1),
      readAll(realLines, (i) => 1_700_000_000_000 + i * 1000),
    );
  });
});
