import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitEvents } from '../../core/sinks/splitEvents.ts';
import { makeChatEvents } from '../helpers/chatEvents.ts';

describe('splitEvents', () => {
  it('keeps the first of the replica copies of an event in one batch', () => {
    // Prepare: CAPTURE_REPLICAS=2 puts both copies (same event_id, later received_at) in one batch.
    const events = makeChatEvents(20, { seed: 99 });
    const copies = events.map((e) => ({ ...structuredClone(e), received_at: e.received_at + 5 }));
    // Act
    const split = splitEvents(events.flatMap((e, i) => [e, copies[i]!]));
    // Assess
    assert.equal(split.repeated, 20);
    assert.deepEqual(split.chat, events);
  });
});
