import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ChannelAnchors } from '../../core/irc/channelAnchors.ts';
import { normalizeLine } from '../../core/irc/normalizeLine.ts';

// Content-derived ids for lines without an `id` tag (issue 13): every reader of the same channel
// stream — two capture replicas, `poglytics import`, `poglytics parse` — gives the same ids.

const realLines = readFileSync(new URL('../fixtures/irc/irc-real.txt', import.meta.url), 'utf8').split('\n').filter((l) => l !== '');

const msg = (channel: string, ts: number, text: string) =>
  `@badges=;color=;display-name=U;id=00000000-0000-4000-8000-${String(ts).padStart(12, '0')};room-id=1;tmi-sent-ts=${ts};user-id=2 :u!u@u.tmi.twitch.tv PRIVMSG #${channel} :${text}`;
const slow = (channel: string, seconds: number) => `@room-id=1;slow=${seconds} :tmi.twitch.tv ROOMSTATE #${channel}`;
const joinState = (channel: string) => `@emote-only=0;followers-only=-1;r9k=0;room-id=1;slow=10;subs-only=0 :tmi.twitch.tv ROOMSTATE #${channel}`;
const notice = (channel: string) => `@msg-id=slow_on :tmi.twitch.tv NOTICE #${channel} :This room is now in slow mode.`;

/** The event id of each line as one reader (one ChannelAnchors) reads them in order, null for non-events. */
function readAll(lines: readonly string[], receivedAt: (i: number) => number, anchors = new ChannelAnchors()): (string | null)[] {
  return lines.map((line, i) => {
    const result = normalizeLine(line, receivedAt(i), anchors);
    return result.type === 'event' ? result.event.event_id : null;
  });
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
];

describe('h: ids from content and the channel anchor, never from arrival time', () => {
  it('two readers with different clocks, one starting later after a timestamped line, agree on every line both read', () => {
    const replicaA = readAll(stream, (i) => 1_000 + i);
    const startB = stream.indexOf(msg('c', 1_700_000_000_003, 'slow now'));
    const replicaB = readAll(stream.slice(startB), (i) => 9_999_999 + 7 * i);
    assert.deepStrictEqual(replicaB, replicaA.slice(startB));
  });

  it('a reader that does not carry channel d agrees on channel c: anchors are per channel', () => {
    const all = readAll(stream, () => 5);
    const onlyC = stream.filter((line) => !line.includes('#d'));
    const ids = readAll(onlyC, () => 6);
    assert.deepStrictEqual(ids, all.filter((_, i) => !stream[i]!.includes('#d')));
  });

  it('two identical ROOMSTATE changes (and NOTICEs) separated by a message get different ids', () => {
    const ids = readAll(stream, () => 5);
    const slow10 = stream.flatMap((line, i) => (line === slow('c', 10) ? [ids[i]] : []));
    assert.equal(slow10.length, 3);
    assert.notEqual(slow10[0], slow10[1]);
    const notices = stream.flatMap((line, i) => (line === notice('c') ? [ids[i]] : []));
    assert.notEqual(notices[0], notices[1]);
  });

  it('merges only identical id-less lines with no timestamped line of their channel between them', () => {
    const ids = readAll(stream, () => 5);
    // The last two `slow=10` have only a line of channel d between them: the same change seen twice.
    assert.equal(ids[11], ids[8]);
  });

  it('a join-time ROOMSTATE gets the same id on two fresh readers, whatever either read before in other channels', () => {
    const busy = new ChannelAnchors();
    readAll(stream, () => 1, busy); // a reader that already holds anchors for c and d
    const fresh = readAll([joinState('e')], () => 2);
    const afterOthers = readAll([joinState('e')], () => 3, busy);
    assert.deepStrictEqual(afterOthers, fresh);
    // Replica A joined channel f and read its traffic; replica B joins f later with a fresh reader.
    const streamF = stream.map((line) => line.replaceAll('#c', '#f'));
    const replicaA = readAll(streamF, () => 4);
    const replicaB = readAll([joinState('f')], () => 5);
    assert.equal(replicaB[0], replicaA[0]);
  });

  it('gives a line without anchors (no reader) the same id as a fresh reader does', () => {
    const line = slow('c', 30);
    const bare = normalizeLine(line, 1);
    const read = normalizeLine(line, 2, new ChannelAnchors());
    assert.ok(bare.type === 'event' && read.type === 'event');
    assert.equal(bare.event.event_id, read.event.event_id);
  });

  it('rejected and protocol lines do not move an anchor', () => {
    const noise = [':u!u@u PRIVMSG #c :x\r\u0000', '@tmi-sent-ts=1700000000099 :tmi.twitch.tv USERSTATE #c', '@tmi-sent-ts=1700000000098 :Bad!x@x PRIVMSG #c :hi'];
    const plain = readAll(stream, () => 5);
    const noisy = readAll([...stream.slice(0, 6), ...noise, ...stream.slice(6)], () => 5);
    assert.deepStrictEqual(noisy.filter((id) => id !== null), plain.filter((id) => id !== null));
  });

  it('the real corpus read by two readers with different clocks gives the same ids', () => {
    assert.deepStrictEqual(readAll(realLines, () => 1), readAll(realLines, (i) => 1_700_000_000_000 + i * 1000));
  });
});
