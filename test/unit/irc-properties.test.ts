import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ChatEventSchema } from '../../core/events/chatEvent.ts';
import { IrcParseError } from '../../core/errors.ts';
import { escapeTagValue } from '../../core/irc/escapeTagValue.ts';
import { normalizeLine, normalizeLineBytes, type NormalizeResult } from '../../core/irc/normalizeLine.ts';
import { parseLine } from '../../core/irc/parseLine.ts';
import { serializeNormalizedUtf8 } from '../../core/irc/serializeNormalized.ts';
import { unescapeTagValue } from '../../core/irc/unescapeTagValue.ts';
import { anyString, chatText, formatTags, tagMap, tagValue } from '../helpers/arbitraries.ts';
import { PropertyCases } from '../helpers/propertyCases.ts';

const realLines = readFileSync(new URL('../fixtures/irc/irc-real.txt', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l !== '');
const COMMANDS = ['PRIVMSG', 'USERNOTICE', 'CLEARCHAT', 'CLEARMSG', 'ROOMSTATE', 'NOTICE', 'PING', 'JOIN', '001', 'USERSTATE', 'WHISPER'];

/** The result is well-formed: an event that passes the schema, an ignore, or a rejection that is not a bug. */
function assertSound(result: NormalizeResult): void {
  if (result.type === 'event') ChatEventSchema.parse(result.event);
  else if (result.type === 'rejected') assert.doesNotMatch(result.reason, /^internal error/);
  else assert.equal(typeof result.command, 'string');
}

/** IRC-shaped lines with random parts, so that generation reaches the normalizers, not only the parser. */
const ircLikeLine = fc
  .record({
    tags: fc.option(tagMap(), { nil: null }),
    prefix: fc.option(fc.oneof(fc.constant('tmi.twitch.tv'), fc.constant('u!u@u.tmi.twitch.tv'), anyString(12)), { nil: null }),
    command: fc.oneof(fc.constantFrom(...COMMANDS), anyString(8)),
    params: fc.array(fc.oneof(fc.constant('#chan'), fc.constant('*'), anyString(10)), { maxLength: 3 }),
    trailing: fc.option(chatText(40), { nil: null }),
    typedTags: fc.dictionary(
      fc.constantFrom('bits', 'ban-duration', 'tmi-sent-ts', 'id', 'msg-id', 'source-msg-id', 'login', 'room-id'),
      anyString(6),
      { noNullPrototype: true },
    ),
  })
  .map(({ tags, prefix, command, params, trailing, typedTags }) => {
    const allTags = tags === null && Object.keys(typedTags).length === 0 ? null : { ...tags, ...typedTags };
    return `${allTags === null ? '' : formatTags(allTags)}${prefix === null ? '' : `:${prefix} `}${[command, ...params].join(' ')}${trailing === null ? '' : ` :${trailing}`}`;
  });

/** A real line with a few random edits: deletions, insertions of IRC-significant characters, duplications. */
const mutatedRealLine = fc
  .tuple(
    fc.constantFrom(...realLines),
    fc.array(
      fc.tuple(
        fc.nat(),
        fc.nat({ max: 8 }),
        fc.oneof(fc.constantFrom(' ', ';', '=', ':', '@', '\\', '#', '!', '\u0001', '\r', '\n', '\0', '\ud800'), anyString(3)),
      ),
      { minLength: 1, maxLength: 4 },
    ),
  )
  .map(([line, edits]) => {
    let out = line;
    for (const [at, remove, insert] of edits) {
      const pos = at % (out.length + 1);
      out = out.slice(0, pos) + insert + out.slice(pos + remove);
    }
    return out;
  });

describe('IRC parser (property-based)', () => {
  it('tag maps survive escape → parse unchanged', (t) => {
    const cases = new PropertyCases(t);
    fc.assert(
      fc.property(tagMap(), chatText(30), (tags, text) => {
        fc.pre(Object.keys(tags).length > 0);
        cases.run();
        cases.reached(
          'a tag value with a character that must be escaped',
          Object.values(tags).some((v) => /[ ;\\\r\n]/.test(v)),
        );
        cases.reached('an empty tag value', Object.values(tags).includes(''));
        const message = parseLine(`${formatTags(tags)}:u!u@u.tmi.twitch.tv PRIVMSG #chan :${text}`);
        assert.deepStrictEqual(message.tags, tags);
        assert.deepStrictEqual(message.params, ['#chan', text]);
      }),
      { numRuns: 500 },
    );
    cases.report({ 'a tag value with a character that must be escaped': 100, 'an empty tag value': 20 });
  });

  it('unescapes as the contract says, including what escape never produces (other \\x, a trailing lone backslash)', () => {
    assert.equal(unescapeTagValue('a\\sb\\:c\\\\d\\re\\nf'), 'a b;c\\d\re\nf');
    assert.equal(unescapeTagValue('\\x\\1'), 'x1');
    assert.equal(unescapeTagValue('end\\'), 'end');
    assert.equal(unescapeTagValue('\\'), '');
  });

  it('unescape(escape(v)) is v, and escaped values hold no space, semicolon, CR or LF', (t) => {
    const cases = new PropertyCases(t);
    fc.assert(
      fc.property(fc.oneof(tagValue(60), anyString(60)), (value) => {
        const escaped = escapeTagValue(value);
        cases.run();
        cases.reached('a value that escaping changes', escaped !== value);
        cases.reached('a value with a backslash', value.includes('\\'));
        assert.doesNotMatch(escaped, /[ ;\r\n]/);
        assert.equal(unescapeTagValue(escaped), value);
      }),
      { numRuns: 1000 },
    );
    cases.report({ 'a value that escaping changes': 100, 'a value with a backslash': 20 });
  });

  it('parseLine only ever throws IrcParseError', (t) => {
    const cases = new PropertyCases(t);
    fc.assert(
      fc.property(fc.oneof(anyString(80), ircLikeLine, mutatedRealLine), (line) => {
        cases.run();
        try {
          parseLine(line);
          cases.reached('a line that parses');
        } catch (error) {
          cases.reached('a line the parser rejects');
          assert.ok(error instanceof IrcParseError, String(error));
        }
      }),
      { numRuns: 2000 },
    );
    cases.report({ 'a line that parses': 300, 'a line the parser rejects': 300 });
  });

  it('random strings never throw out of normalizeLine, and every event passes the schema', (t) => {
    const cases = new PropertyCases(t);
    fc.assert(
      fc.property(fc.oneof(anyString(120), fc.string({ unit: 'grapheme', maxLength: 120 })), fc.nat(), (line, receivedAt) => {
        const result = normalizeLine(line, receivedAt);
        cases.run();
        cases.reached(`result: ${result.type}`);
        cases.reached('a line with a lone surrogate', line !== Buffer.from(line).toString());
        assertSound(result);
      }),
      { numRuns: 2000 },
    );
    // Random strings are mostly rejected or ignored as unknown commands; the IRC-shaped property below reaches the events.
    cases.report({ 'result: rejected': 1000, 'result: ignored': 5, 'a line with a lone surrogate': 50 });
  });

  it('IRC-shaped random lines and mutated real lines never throw, and every event passes the schema', (t) => {
    const cases = new PropertyCases(t);
    fc.assert(
      fc.property(fc.oneof(ircLikeLine, mutatedRealLine), (line) => {
        const result = normalizeLine(line, 1_700_000_000_000);
        cases.run();
        cases.reached(`result: ${result.type}`);
        assertSound(result);
        if (result.type === 'event') {
          cases.reached(`event: ${result.event.kind}`);
          assert.equal(result.event.raw, line.replace(/\r?\n?$/, '').replace(/\r$/, ''));
        }
      }),
      { numRuns: 3000 },
    );
    cases.report({ 'result: event': 200, 'result: rejected': 1000, 'result: ignored': 100, 'event: message': 30, 'event: usernotice': 30 });
  });

  it('serializeNormalizedUtf8 writes exactly JSON.stringify(event) for every normalized event, on its fast path or not', (t) => {
    const cases = new PropertyCases(t);
    // The bytes sit inside a larger buffer, as a line's bytes sit inside a WebSocket frame.
    const frame = Buffer.alloc(1 << 16, 0x3b);
    const check = (line: string) => {
      const result = normalizeLine(line, 1_700_000_000_000);
      cases.run();
      if (result.type !== 'event') return;
      cases.reached(/["\\\u0000-\u001f]/.test(result.event.raw) ? 'an event on the escaping path' : 'an event on the byte-copy fast path');
      const json = JSON.stringify(result.event);
      const length = frame.write(line, 7);
      const bytes = serializeNormalizedUtf8(result.event, new Uint8Array(frame.buffer, frame.byteOffset + 7, length));
      assert.equal(Buffer.from(bytes).toString('utf8'), json);
    };
    for (const line of realLines) check(line);
    fc.assert(fc.property(fc.oneof(ircLikeLine, mutatedRealLine), check), { numRuns: 3000 });
    cases.report({ 'an event on the byte-copy fast path': 100, 'an event on the escaping path': 100 });
  });

  it('random bytes never throw out of normalizeLineBytes', (t) => {
    const cases = new PropertyCases(t);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          mutatedRealLine.map((line) => new Uint8Array(Buffer.from(line))),
        ),
        (bytes) => {
          const result = normalizeLineBytes(bytes, 1_700_000_000_000);
          cases.run();
          cases.reached(`result: ${result.type}`);
          cases.reached('bytes that are not valid UTF-8', !Buffer.from(bytes).equals(Buffer.from(Buffer.from(bytes).toString('utf8'))));
          assertSound(result);
        },
      ),
      { numRuns: 2000 },
    );
    cases.report({ 'result: event': 100, 'result: rejected': 300, 'bytes that are not valid UTF-8': 200 });
  });
});
