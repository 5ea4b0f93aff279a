import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  clickhouseChatRow,
  decodeEventId,
  encodeEventId,
  OWN_PARAMS,
  OWN_TAGS,
  tagsOfTagSection,
} from '../../core/sinks/clickhouse/clickhouseChatRow.ts';
import { normalizeLine } from '../../core/irc/normalizeLine.ts';
import { tagsOfLine } from '../../core/events/rebuildLine.ts';
import { makeChatEvents } from '../helpers/chatEvents.ts';

describe('clickhouseChatRow', () => {
  it('stores every event id as a UUID key and a form that give the id back', () => {
    // Prepare
    const ids = [
      '0d2c3b4a-1e2f-4a5b-8c9d-0e1f2a3b4c5d',
      `h:${'ab'.repeat(16)}`,
      'odd-1',
      'h:',
      'H:AB',
      '0D2C3B4A-1E2F-4A5B-8C9D-0E1F2A3B4C5D',
      's:1:2',
    ];
    // Act
    const encoded = ids.map(encodeEventId);
    // Assess
    assert.deepEqual(
      encoded.map((e) => decodeEventId(e.uuid, e.form)),
      ids,
    );
    assert.deepEqual(
      encoded.map((e) => e.form),
      ['', 'h:', '=odd-1', '=h:', '=H:AB', '=0D2C3B4A-1E2F-4A5B-8C9D-0E1F2A3B4C5D', '=s:1:2'],
    );
    assert.equal(new Set(encoded.map((e) => e.uuid)).size, ids.length, 'distinct ids, distinct keys');
    assert.deepEqual(encodeEventId('odd-1'), encodeEventId('odd-1'), 'the same id, the same key (copies collapse)');
  });

  it('rebuilds the tags the parser gives for the lines of every kind', () => {
    // Prepare
    const events = makeChatEvents(2000, { seed: 8, hostileShare: 0.2 });
    // Act + Assess
    for (const e of events) assert.deepStrictEqual(Object.fromEntries(tagsOfTagSection(e.raw)), tagsOfLine(e.raw), e.raw);
  });

  it('stores tags and params only for an event whose tags the view would not rebuild', () => {
    // Prepare
    const line = '@a=1;msg-param-x=y\\sz;id=i :u!u@u.tmi.twitch.tv PRIVMSG #c :t';
    const result = normalizeLine(line, 1);
    assert.equal(result.type, 'event');
    const event = result.type === 'event' ? result.event : undefined!;
    const repeated = normalizeLine('@a=1;a=2;id=j :u!u@u.tmi.twitch.tv PRIVMSG #c :t', 1);
    // Act
    const derived = clickhouseChatRow(event);
    const changedParams = clickhouseChatRow({ ...event, params: { x: 'other' } });
    const changedTags = clickhouseChatRow({ ...event, tags: { a: '1' } });
    const repeatedKey = clickhouseChatRow(repeated.type === 'event' ? repeated.event : undefined!);
    // Assess
    assert.deepEqual([derived.own, derived.own_tags, derived.own_params], [0, {}, {}]);
    assert.deepEqual([changedParams.own, changedParams.own_params], [OWN_PARAMS, { x: 'other' }]);
    assert.equal(changedTags.own, OWN_TAGS | OWN_PARAMS);
    assert.equal(repeatedKey.own & OWN_TAGS, OWN_TAGS, 'a repeated key: the map would hold both, the contract the last');
  });
});
