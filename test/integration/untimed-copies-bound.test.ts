import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { ChatEvent } from '../../core/events/chatEvent.ts';
import { expandCompactChatEvent, writeCompactChatEvent } from '../../core/events/compactChatEvent.ts';
import { copyIdsOf } from '../../core/events/copyIds.ts';
import { REPLICA_SKEW_MARGIN_MS, REPLICA_WINDOW_MS } from '../../core/irc/eventId.ts';
import { EventIdResolver } from '../../core/irc/eventIdResolver.ts';
import { normalizeLine } from '../../core/irc/normalizeLine.ts';
import { createSink } from '../../core/sinks/createSink.ts';

// Two capture replicas hold an id-less ROOMSTATE of a quiet channel. The channel's next message
// comes just at the hold's bound: one replica reads it a few ms before its bound and anchors the
// ROOMSTATE on it ({next}), the other a few ms after and gives it its window's id (issue 19). Both
// copies go through the stream to one sink, which must keep one.

const BOUND = REPLICA_WINDOW_MS;
const T = 14_166_667 * BOUND + 40_000; // 40 s into a window: no window edge near
const roomstate = '@room-id=1;slow=10 :tmi.twitch.tv ROOMSTATE #quiet';
const next = `@id=00000000-0000-4000-8000-000000000001;room-id=1;tmi-sent-ts=${T + BOUND};user-id=2 :u!u@u.tmi.twitch.tv PRIVMSG #quiet :hi`;

/** A replica that reads the ROOMSTATE at `heldAt` and the next message at `nextAt`, its timer releasing by age as the ingester's does. */
function replicaCopy(heldAt: number, nextAt: number): ChatEvent {
  let now = heldAt;
  const emitted: ChatEvent[] = [];
  const resolver = new EventIdResolver<null>({
    emit: (event) => emitted.push(event),
    clock: () => now,
    fallbackWindowMs: BOUND,
    boundMarginMs: REPLICA_SKEW_MARGIN_MS,
  });
  const read = (line: string, at: number) => {
    now = at;
    resolver.releaseOlderThan(now - BOUND - REPLICA_SKEW_MARGIN_MS);
    const result = normalizeLine(line, at);
    assert.ok(result.type === 'event');
    resolver.read(result.event, result.message, null);
  };
  read(roomstate, heldAt);
  read(next, nextAt);
  const copy = emitted.find((e) => e.kind === 'roomstate')!;
  // Through the stream as the ingester sends it.
  const decoded = expandCompactChatEvent(JSON.parse(Buffer.from(writeCompactChatEvent(copy, Buffer.from(copy.raw))).toString()));
  if (typeof decoded === 'string') throw new Error(decoded);
  return decoded;
}

const dir = mkdtempSync(join(tmpdir(), 'poglytics-bound-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('a line whose next timestamped line comes at the hold bound, read on either side of it by two replicas', () => {
  const early = () => replicaCopy(T, T + BOUND - 5); // waited 5 ms less than the bound: {next}
  const late = () => replicaCopy(T - 20, T + BOUND + 10); // waited 30 ms more: its window

  it('gets two ids, each copy naming the other', () => {
    // Act
    const a = early();
    const b = late();
    // Assess
    assert.notEqual(a.event_id, b.event_id);
    assert.deepEqual(copyIdsOf(a), [b.event_id]);
    assert.deepEqual(copyIdsOf(b), [a.event_id]);
  });

  for (const order of ['early copy first', 'late copy first'] as const) {
    it(`is stored once, ${order}, in separate batches`, async () => {
      // Prepare
      const sink = createSink({ sink: 'sqlite', path: join(dir, `${order.replaceAll(' ', '-')}.db`) });
      const copies = order === 'early copy first' ? [early(), late()] : [late(), early()];
      try {
        // Act
        const results = [await sink.write([copies[0]!]), await sink.write([copies[1]!])];
        // Assess
        assert.deepEqual(results, [
          { inserted: 1, duplicates: 0 },
          { inserted: 0, duplicates: 1 },
        ]);
      } finally {
        await sink.close();
      }
    });
  }

  it('names no other id when the next line came well before the bound', () => {
    // Act
    const copy = replicaCopy(T, T + BOUND - REPLICA_SKEW_MARGIN_MS - 1);
    // Assess
    assert.deepEqual(copyIdsOf(copy), []);
  });
});
