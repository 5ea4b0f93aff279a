import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatEvent } from '../../core/events/chatEvent.ts';
import { eventId, orphanAnchor, windowAnchor } from '../../core/irc/eventId.ts';
import { EventIdResolver } from '../../core/irc/eventIdResolver.ts';
import { normalizeLine } from '../../core/irc/normalizeLine.ts';
import { parseLine } from '../../core/irc/parseLine.ts';
import { splitEvents } from '../../core/sinks/splitEvents.ts';

// Two capture replicas read the same quiet channel (Twitch-like long tail: less than a message a
// minute). An id-less line that no timestamped line follows within the hold takes the fallback
// anchor; a replica that joined or restarted after the channel's last timestamped line must still
// give it the id the other replica gives (issue 19: `faults.lost_events` counts a line stored twice).

const HOLD_MS = 120_000;
const T0 = 1_700_000_080_000; // a window boundary is at every multiple of HOLD_MS: T0 is 40 s past one

const msg = (channel: string, ts: number) =>
  `@id=00000000-0000-4000-8000-${String(ts % 1e12).padStart(12, '0')};room-id=1;tmi-sent-ts=${ts};user-id=2 :u!u@u.tmi.twitch.tv PRIVMSG #${channel} :hi`;
const subsOff = (channel: string) => `@room-id=1;subs-only=0 :tmi.twitch.tv ROOMSTATE #${channel}`;
const subsOffNotice = (channel: string) =>
  `@msg-id=subs_off :tmi.twitch.tv NOTICE #${channel} :This room is no longer in subscribers-only mode.`;

/** A live replica: its own clock (`skewMs` from the true time), holds released by age as the capture's timer does. */
function replica(skewMs = 0, orphans = true) {
  const ids = new Map<string, string[]>();
  const events: ChatEvent[] = [];
  let now = 0;
  const resolver = new EventIdResolver<string>({
    emit: (event: ChatEvent, raw) => {
      ids.set(raw, [...(ids.get(raw) ?? []), event.event_id]);
      events.push(event);
    },
    clock: () => now,
    fallbackWindowMs: HOLD_MS,
    orphans,
  });
  return {
    ids,
    events,
    resolver,
    /** Reads `line`, which Twitch sent at true time `at`, then lets the hold timer run. */
    read(line: string, at: number) {
      now = at + skewMs;
      resolver.releaseOlderThan(now - HOLD_MS);
      const result = normalizeLine(line, now);
      assert.equal(result.type, 'event');
      if (result.type === 'event') resolver.read(result.event, result.message, line);
    },
    /** The true time passes to `at` with nothing read. */
    idle(at: number) {
      now = at + skewMs;
      resolver.releaseOlderThan(now - HOLD_MS);
    },
  };
}

/** The quiet channel c: a message, then 10 minutes later a ROOMSTATE change and its NOTICE, then silence. */
const quiet: readonly (readonly [string, number])[] = [
  [msg('c', T0), T0],
  [msg('c', T0 + 30_000), T0 + 30_000],
  [subsOff('c'), T0 + 600_000],
  [subsOffNotice('c'), T0 + 600_001],
];

describe('two replicas agree on the id of an id-less line whatever each read before', () => {
  it('a replica that joined after the last timestamped line of a quiet channel gives the fallback id the veteran gives', () => {
    // Prepare: the veteran read the channel from the start; the other joined after its last message.
    const veteran = replica();
    const joinedLater = replica(3);
    // Act
    for (const [line, at] of quiet) veteran.read(line, at);
    for (const [line, at] of quiet.slice(2)) joinedLater.read(line, at + 2);
    veteran.idle(T0 + 600_000 + 2 * HOLD_MS);
    joinedLater.idle(T0 + 600_000 + 2 * HOLD_MS);
    // Assess: both released by age (no timestamped line came), with one id each
    for (const line of [subsOff('c'), subsOffNotice('c')]) {
      assert.equal(veteran.ids.get(line)?.length, 1, 'the veteran released it');
      assert.deepStrictEqual(joinedLater.ids.get(line), veteran.ids.get(line), line);
    }
  });

  it('a replica restarted at any point of a quiet channel agrees with one that never stopped', () => {
    // Prepare: three changes minutes apart, messages in between that do not come within the hold.
    const lines: [string, number][] = [
      [msg('c', T0), T0],
      [subsOff('c'), T0 + 180_000],
      [msg('c', T0 + 400_000), T0 + 400_000],
      [msg('c', T0 + 410_000), T0 + 410_000],
      [subsOffNotice('c'), T0 + 700_000],
      [subsOff('c'), T0 + 1_000_000],
      [msg('c', T0 + 1_300_000), T0 + 1_300_000],
    ];
    const end = T0 + 2_000_000;
    const veteran = replica();
    for (const [line, at] of lines) veteran.read(line, at);
    veteran.idle(end);
    for (let start = 1; start < lines.length; start++) {
      // Act
      const restarted = replica(-5);
      for (const [line, at] of lines.slice(start)) restarted.read(line, at + 4);
      restarted.idle(end);
      // Assess
      for (const [line] of lines.slice(start)) {
        if (line.includes('tmi-sent-ts')) continue;
        const expected = veteran.ids.get(line)!.slice(-(restarted.ids.get(line)?.length ?? 0));
        assert.deepStrictEqual(restarted.ids.get(line), expected, `restarted before line ${start}: ${line}`);
      }
    }
  });

  it('the window anchor never gives the id that {next} or {prev} gives for the same number', () => {
    const line = normalizeLine(subsOff('c'), T0);
    assert.ok(line.type === 'event');
    const start = Math.floor(T0 / HOLD_MS) * HOLD_MS;
    assert.deepStrictEqual(windowAnchor(T0, HOLD_MS), { window: start });
    const ids = new Set([{ window: start }, { next: start }, { prev: start }].map((anchor) => eventId(line.message, anchor)));
    assert.equal(ids.size, 3);
  });

  it('two identical changes released by age with a timestamped line between them keep two ids', () => {
    // Prepare: subs off, a message after the hold, subs off again (on again in between, unseen here).
    const r = replica();
    // Act
    r.read(subsOff('c'), T0);
    r.read(msg('c', T0 + HOLD_MS + 1), T0 + HOLD_MS + 1);
    r.read(subsOff('c'), T0 + HOLD_MS + 2);
    r.idle(T0 + 3 * HOLD_MS);
    // Assess
    const [first, second] = r.ids.get(subsOff('c'))!;
    assert.ok(first !== undefined && second !== undefined);
    assert.notEqual(first, second);
  });

  it('a replica that stops reading the channel before the next timestamped line sends an orphan, which the sinks take for the other copy', () => {
    // Prepare: both read the change; one replica's socket drops before the channel's next message.
    const stayed = replica();
    const dropped = replica(2);
    for (const r of [stayed, dropped]) r.read(msg('c', T0), T0);
    stayed.read(subsOff('c'), T0 + 5_000);
    dropped.read(subsOff('c'), T0 + 5_000);
    // Act
    dropped.resolver.releaseChannel('c');
    stayed.read(msg('c', T0 + 20_000), T0 + 20_000);
    // Assess: two ids (`next` and `orphan`), one line in a batch holding both, either order
    const [kept] = stayed.ids.get(subsOff('c'))!;
    const [orphan] = dropped.ids.get(subsOff('c'))!;
    assert.equal(kept, eventId(parseLine(subsOff('c')), { next: T0 + 20_000 }));
    assert.equal(orphan, eventId(parseLine(subsOff('c')), orphanAnchor(T0 + 5_002)));
    const copies = [stayed.events[1]!, dropped.events[1]!];
    assert.deepEqual([splitEvents(copies).repeated, splitEvents([...copies].reverse()).repeated], [1, 1]);
  });

  it('with one replica, lets go early with the window id: no orphan to merge two changes within 30 s', () => {
    // Prepare
    const r = replica(0, false);
    r.read(subsOff('a'), T0);
    // Act
    r.resolver.releaseChannel('a');
    // Assess
    assert.deepEqual(r.ids.get(subsOff('a')), [eventId(parseLine(subsOff('a')), windowAnchor(T0, HOLD_MS))]);
  });

  it('lets go early with the orphan id: at shutdown, past the most it may hold; by age with the window id', () => {
    // Prepare
    const r = replica();
    r.read(subsOff('a'), T0);
    r.read(subsOff('b'), T0 + 1_000);
    r.read(subsOffNotice('b'), T0 + 1_500);
    // Act
    r.resolver.releaseOldest();
    r.idle(T0 + 1_000 + HOLD_MS);
    r.resolver.releaseAll();
    // Assess
    assert.deepEqual(
      [r.ids.get(subsOff('a')), r.ids.get(subsOff('b')), r.ids.get(subsOffNotice('b'))],
      [
        [eventId(parseLine(subsOff('a')), orphanAnchor(T0))],
        [eventId(parseLine(subsOff('b')), windowAnchor(T0 + 1_000, HOLD_MS))],
        [eventId(parseLine(subsOffNotice('b')), orphanAnchor(T0 + 1_500))],
      ],
    );
  });
});
