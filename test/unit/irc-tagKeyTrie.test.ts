import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseLine } from '../../core/irc/parseLine.ts';
import { sharedTagKeys, TagKeyTrie } from '../../core/irc/tagKeyTrie.ts';
import { formatTags, tagMap } from '../helpers/arbitraries.ts';
import { PropertyCases } from '../helpers/propertyCases.ts';

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
  it('are the same, key order included, whether a sequence is new or has its builder', (t) => {
    const cases = new PropertyCases(t);
    fc.assert(
      fc.property(tagMap(), (tags) => {
        fc.pre(Object.keys(tags).length > 0);
        cases.run();
        cases.reached('several keys', Object.keys(tags).length > 1);
        // Index-like keys come first in any object, whatever the order on the line.
        cases.reached(
          'an index-like key among others',
          Object.keys(tags).length > 1 && Object.keys(tags).some((key) => /^(0|[1-9][0-9]*)$/.test(key)),
        );
        const [first, second, third] = parsedThrice(`${formatTags(tags)}${TAIL}`);
        assert.deepStrictEqual(shape(first!), { entries: Object.entries(tags), prototype: true });
        assert.deepStrictEqual(shape(second!), shape(first!));
        assert.deepStrictEqual(shape(third!), shape(first!));
      }),
      { numRuns: 300 },
    );
    cases.report({ 'several keys': 100, 'an index-like key among others': 5 });
  });

  it('keep the first position and the last value of a repeated key, and sort index-like keys first, as stores do', () => {
    const [, , built] = parsedThrice(`@b=1;a=2;b=3;7=x;c ${TAIL}`);
    assert.deepStrictEqual(Object.entries(built!), [
      ['7', 'x'],
      ['b', '3'],
      ['a', '2'],
      ['c', ''],
    ]);
  });

  it('keep __proto__ an own tag and never change the prototype', () => {
    for (const tags of parsedThrice(`@id=1;__proto__=p;color= ${TAIL}`)) {
      assert.deepStrictEqual(Object.entries(tags), [
        ['id', '1'],
        ['__proto__', 'p'],
        ['color', ''],
      ]);
      assert.equal(Object.getPrototypeOf(tags), Object.prototype);
    }
  });

  it('cannot be made to run a key as code', () => {
    const key = 'a":0,[globalThis.poglyticsPwned++]:0,"b';
    for (const tags of parsedThrice(`@${key}=v;id=1 ${TAIL}`))
      assert.deepStrictEqual(Object.entries(tags), [
        [key, 'v'],
        ['id', '1'],
      ]);
    assert.equal((globalThis as Record<string, unknown>).poglyticsPwned, undefined);
  });

  it('parse a tag section deeper than the trie learns', () => {
    const entries = Array.from({ length: 300 }, (_, i) => [`key-${i}`, `v${i}`] as [string, string]);
    const line = `@${entries.map(([k, v]) => `${k}=${v}`).join(';')} ${TAIL}`;
    for (const tags of parsedThrice(line)) assert.deepStrictEqual(Object.entries(tags), entries);
  });

  it('keep learning once deep one-off sequences have filled the trie', () => {
    // A cache of its own: the shared one holds whatever the other tests here parsed.
    const trie = new TagKeyTrie();
    const tail = ' :u!u@u.tmi.twitch.tv PRIVMSG #chan :hi';
    // 72 sequences of 60 keys that branch only at their first three keys (8 ways at most per
    // node, so nothing is evicted): together more nodes than the trie holds.
    for (let a = 0; a < 8; a++) {
      for (let b = 0; b < 9; b++) {
        const keys = [`r${a}`, `s${b % 8}`, `t${b}`, ...Array.from({ length: 57 }, (_, i) => `k${i}`)];
        parseLine(`@${keys.map((k) => `${k}=1`).join(';')}${tail}`, trie);
      }
    }
    const full = trie.state([]).nodes;
    const keys = ['badge-info', 'badges', 'color', 'display-name', 'id', 'room-id', 'tmi-sent-ts', 'user-id'];
    const line = `@${keys.map((k) => `${k}=1`).join(';')}${tail}`;
    parseLine(line, trie);
    parseLine(line, trie);
    const state = trie.state(keys);
    assert.equal(full, 4096, 'the trie was full');
    assert.deepEqual([state.learned, state.built], [true, true], 'a new sequence is still learned and built');
    assert.ok(state.nodes <= 4096);
  });

  it('is per instance: a fresh cache has learned nothing the shared one saw', () => {
    const keys = ['only-here-1', 'only-here-2'];
    const line = `@${keys.map((k) => `${k}=1`).join(';')} :u!u@u.tmi.twitch.tv PRIVMSG #chan :hi`;
    parseLine(line);
    parseLine(line);
    assert.equal(sharedTagKeys.state(keys).built, true);
    const fresh = new TagKeyTrie();
    assert.deepEqual(fresh.state(keys), { learned: false, built: false, nodes: 1, builders: 0 });
    assert.deepEqual(Object.entries(parseLine(line, fresh).tags), [
      ['only-here-1', '1'],
      ['only-here-2', '1'],
    ]);
    assert.equal(fresh.state(keys).learned, true);
  });

  it('still parse every line right once the trie is full of one-off keys', () => {
    for (let i = 0; i < 20_000; i++) parseLine(`@k${i}=1;k${i}b=2 ${TAIL}`);
    const [first, , third] = parsedThrice(`@badges=;color=#F00;id=9 ${TAIL}`);
    assert.deepStrictEqual(Object.entries(first!), [
      ['badges', ''],
      ['color', '#F00'],
      ['id', '9'],
    ]);
    assert.deepStrictEqual(Object.entries(third!), Object.entries(first!));
  });
});
