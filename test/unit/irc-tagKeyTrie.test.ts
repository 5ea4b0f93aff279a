import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseLine } from '../../core/irc/parseLine.ts';
import { formatTags, tagMap } from '../helpers/arbitraries.ts';

const TAIL = ':u!u@u.tmi.twitch.tv PRIVMSG #chan :hi';

/** The tags object as the first three parses of the line give it: plain stores first, then the sequence's compiled builder. */
function parsedThrice(line: string): Record<string, string>[] {
  return [parseLine(line).tags, parseLine(line).tags, parseLine(line).tags];
}

/** Key order, values and prototype: what JSON, for…in and the sinks see. */
function shape(tags: Record<string, string>) {
  return { entries: Object.entries(tags), prototype: Object.getPrototypeOf(tags) === Object.prototype };
}

describe('tags objects built from the key trie', () => {
  it('are the same, key order included, whether a sequence is new or has its builder', () => {
    fc.assert(
      fc.property(tagMap(), (tags) => {
        fc.pre(Object.keys(tags).length > 0);
        const [first, second, third] = parsedThrice(`${formatTags(tags)}${TAIL}`);
        assert.deepStrictEqual(shape(first!), { entries: Object.entries(tags), prototype: true });
        assert.deepStrictEqual(shape(second!), shape(first!));
        assert.deepStrictEqual(shape(third!), shape(first!));
      }),
      { numRuns: 300 },
    );
  });

  it('keep the first position and the last value of a repeated key, and sort index-like keys first, as stores do', () => {
    const [, , built] = parsedThrice(`@b=1;a=2;b=3;7=x;c ${TAIL}`);
    assert.deepStrictEqual(Object.entries(built!), [['7', 'x'], ['b', '3'], ['a', '2'], ['c', '']]);
  });

  it('keep __proto__ an own tag and never change the prototype', () => {
    for (const tags of parsedThrice(`@id=1;__proto__=p;color= ${TAIL}`)) {
      assert.deepStrictEqual(Object.entries(tags), [['id', '1'], ['__proto__', 'p'], ['color', '']]);
      assert.equal(Object.getPrototypeOf(tags), Object.prototype);
    }
  });

  it('cannot be made to run a key as code', () => {
    const key = 'a":0,[globalThis.poglyticsPwned++]:0,"b';
    for (const tags of parsedThrice(`@${key}=v;id=1 ${TAIL}`)) assert.deepStrictEqual(Object.entries(tags), [[key, 'v'], ['id', '1']]);
    assert.equal((globalThis as Record<string, unknown>).poglyticsPwned, undefined);
  });

  it('parse a tag section deeper than the trie learns', () => {
    const entries = Array.from({ length: 300 }, (_, i) => [`key-${i}`, `v${i}`] as [string, string]);
    const line = `@${entries.map(([k, v]) => `${k}=${v}`).join(';')} ${TAIL}`;
    for (const tags of parsedThrice(line)) assert.deepStrictEqual(Object.entries(tags), entries);
  });

  it('still parse every line right once the trie is full of one-off keys', () => {
    for (let i = 0; i < 20_000; i++) parseLine(`@k${i}=1;k${i}b=2 ${TAIL}`);
    const [first, , third] = parsedThrice(`@badges=;color=#F00;id=9 ${TAIL}`);
    assert.deepStrictEqual(Object.entries(first!), [['badges', ''], ['color', '#F00'], ['id', '9']]);
    assert.deepStrictEqual(Object.entries(third!), Object.entries(first!));
  });
});
