import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeLine } from '../../core/irc/normalizeLine.ts';
import { serializeNormalizedUtf8 } from '../../core/irc/serializeNormalized.ts';

const TAIL = ':ann!ann@ann.tmi.twitch.tv PRIVMSG #chan :hello there';

/** serializeNormalizedUtf8 of the line's event given `bytes`, beside JSON.stringify of the same event. */
function both(line: string, bytes: Uint8Array = Buffer.from(line)): [string, string] {
  const result = normalizeLine(line, 1_700_000_000_000);
  assert.equal(result.type, 'event', line);
  if (result.type !== 'event') throw new Error('unreachable');
  return [Buffer.from(serializeNormalizedUtf8(result.event, bytes)).toString('utf8'), JSON.stringify(result.event)];
}

describe('serializeNormalizedUtf8 on tag sections that its byte copy cannot take as they are', () => {
  const cases: Record<string, string> = {
    'a repeated key (the last value wins, at the first position)': `@id=1;color=#F00;id=2 ${TAIL}`,
    'a key that looks like an array index (sorted first by JSON)': `@id=x;7=seven;color= ${TAIL}`,
    'empty entries and a trailing semicolon': `@;id=x;;color=#0F0; ${TAIL}`,
    'a key without a value': `@id=x;flag;color=#00F ${TAIL}`,
    '= inside a value': `@id=x;reply-parent-msg-body=a=b=c ${TAIL}`,
    'a __proto__ key': `@id=x;__proto__=p;color= ${TAIL}`,
    'non-ASCII values': `@id=x;display-name=ミク;system-msg=héllo ${TAIL} ☕`,
    'no tags at all': TAIL,
  };
  for (const [name, line] of Object.entries(cases)) {
    it(`writes JSON.stringify's bytes for ${name}`, () => {
      const [bytes, json] = both(line);
      assert.equal(bytes, json);
    });
  }

  it('ignores bytes that still end in CR LF (normalizeLine dropped them from raw)', () => {
    const line = `@id=x ${TAIL}`;
    const [bytes, json] = both(`${line}\r\n`, Buffer.from(`${line}\r\n`));
    assert.equal(bytes, json);
    assert.ok(!bytes.includes('\n'));
  });
});
